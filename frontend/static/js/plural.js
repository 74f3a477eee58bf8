// Counts in the interface language. English says "1 file" but "2 files":
// a catalog key may have a ".one" variant, used when n is 1 (Chinese
// catalogs repeat the same text under it, so both catalogs keep the same
// keys). The server's templates choose the same way (frontend/render.go,
// "tn").

import { t, has, fmtNumber } from './i18n.js?v=__V__';

// tn('catalog.resultCount', 1) -> "1 dataset"; tn(key, 3) -> "3 datasets".
// {n} is the formatted count unless vars gives its own n.
export function tn(key, n, vars) {
  const one = Number(n) === 1 && has(`${key}.one`);
  return t(one ? `${key}.one` : key, { n: fmtNumber(n), ...(vars || {}) });
}
