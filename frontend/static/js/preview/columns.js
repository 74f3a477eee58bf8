// What the data items of a table say about its columns: numbers, dates,
// coordinates, region codes; and filter values typed like their column.

// Only CSV resources are loaded into tables (preview, rows API, profile).
export function isTabular(r) {
  return String((r && r.format) || '').toUpperCase() === 'CSV';
}

export const NUMERIC = new Set(['integer', 'number']);
export const DATES = new Set(['date', 'datetime']);

const LON = /^(lng|lon|long|longitude|x_?coord|经度)$/i;
const LAT = /^(lat|latitude|y_?coord|纬度)$/i;

function matches(item, re, word) {
  return re.test(String(item.name || '').trim()) || String(item.label || '').includes(word);
}

// {lon, lat} data items when the table carries coordinates, else null.
export function coordinateItems(items) {
  const list = items || [];
  const lon = list.find((i) => matches(i, LON, '经度'));
  const lat = list.find((i) => matches(i, LAT, '纬度'));
  return lon && lat && lon !== lat ? { lon, lat } : null;
}

// The first data item holding GB/T 2260 region codes, or null.
export function regionItem(items) {
  return (items || []).find((i) => i.domain === 'region_code') || null;
}

// Whether the map tab has anything to draw.
export function hasMap(items) {
  return Boolean(coordinateItems(items) || regionItem(items));
}

export function fieldLabel(f) {
  return (f && (f.label || f.id || f.name)) || '';
}

// typedValue('integer', '12') -> {ok: true, value: 12}: the filter value
// the rows API compares with the column (numbers as numbers).
export function typedValue(type, raw) {
  const s = String(raw).trim();
  if (NUMERIC.has(type)) {
    if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(s)) return { ok: false };
    const n = Number(s);
    if (!Number.isFinite(n) || (type === 'integer' && !Number.isInteger(n))) return { ok: false };
    return { ok: true, value: n };
  }
  if (type === 'boolean') {
    const v = s.toLowerCase();
    if (['true', '1', '是', 'yes'].includes(v)) return { ok: true, value: true };
    if (['false', '0', '否', 'no'].includes(v)) return { ok: true, value: false };
    return { ok: false };
  }
  if (type === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(s)) return { ok: false };
  return { ok: s !== '', value: s };
}

// prefectureOf('230102') -> '230100'; '' for codes outside Heilongjiang's
// prefectures (the province itself, other provinces, malformed cells).
export function prefectureOf(code) {
  const s = String(code == null ? '' : code).trim();
  if (!/^23\d{4}$/.test(s) || s.slice(2, 4) === '00') return '';
  return `${s.slice(0, 4)}00`;
}
