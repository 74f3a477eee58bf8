// The small round icon of a topic (home page, topic pages). A known topic
// gets a line drawing, the same in both languages; another topic gets the
// first character of its name in the reader's language: Chinese gets the
// first character of name, English the first letter of name_en, so no
// Chinese character shows on an English page.

import { el } from './dom.js?v=__V__';

const SVG = 'http://www.w3.org/2000/svg';

// 24×24 stroked paths per topic id (the demo catalog's topics and the
// usual ones of a provincial portal).
export const TOPIC_ICONS = {
  economy: 'M3 20h18M6 16v-4M11 16V8M16 16v-6M20 16V5',
  transport: 'M6 3h12a2 2 0 0 1 2 2v11H4V5a2 2 0 0 1 2-2zM4 11h16M4 16v3h3v-3M17 16v3h3v-3M8 14h.01M16 14h.01',
  education: 'M2 9l10-5 10 5-10 5zM6 11v5c3 2 9 2 12 0v-5M22 9v6',
  health: 'M9 3h6v6h6v6h-6v6H9v-6H3V9h6z',
  environment: 'M5 19C5 10 11 5 20 4c-1 9-6 15-15 15zM5 19l8-8',
  resources: 'M13 2L4 14h7l-1 8 9-12h-7z',
  'social-security': 'M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6zM8.5 12l2.5 2.5 4.5-4.5',
  employment: 'M3 8h18v12H3zM8 8V5h8v3M3 13h18',
  'public-safety': 'M6 18v-6a6 6 0 0 1 12 0v6M4 18h16v3H4zM12 2v2M4.2 5.2l1.4 1.4M19.8 5.2l-1.4 1.4',
  agriculture: 'M12 22V10M12 10C12 6 9 4 5 4c0 4 3 6 7 6zM12 15c0-4 3-6 7-6 0 4-3 6-7 6z',
  culture: 'M9 18V5l12-2v13M9 18a3 3 0 1 1-6 0 3 3 0 0 1 6 0zM21 16a3 3 0 1 1-6 0 3 3 0 0 1 6 0z',
  housing: 'M3 11l9-8 9 8M5 9v12h14V9M10 21v-6h4v6',
  credit: 'M2 6h20v12H2zM2 10h20M6 15h4',
  finance: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM8 7l4 5 4-5M12 12v6M9 13h6M9 16h6',
  organisations: 'M12 3L3 8h18zM4 10h16M6 10v8M10 10v8M14 10v8M18 10v8M3 21h18',
  geography: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM2 12h20M12 2c3 3 4 6.5 4 10s-1 7-4 10c-3-3-4-6.5-4-10s1-7 4-10z',
};

function drawing(d) {
  const svg = document.createElementNS(SVG, 'svg');
  for (const [k, v] of Object.entries({
    viewBox: '0 0 24 24', width: '24', height: '24', fill: 'none', stroke: 'currentColor',
    'stroke-width': '1.8', 'stroke-linecap': 'round', 'stroke-linejoin': 'round', focusable: 'false', 'aria-hidden': 'true',
  })) {
    svg.setAttribute(k, v);
  }
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', d);
  svg.appendChild(path);
  return svg;
}

// The letter an unknown topic shows: in English the first letter of
// name_en (never a Chinese character: "•" when there is none).
function initial(topic, lang) {
  if (lang === 'en') {
    const m = String(topic.name_en || '').match(/[A-Za-z0-9]/);
    return m ? m[0].toUpperCase() : '•';
  }
  return Array.from(topic.name || topic.name_en || '•')[0];
}

// topicIcon({id, name, name_en}, 'zh'|'en') -> <span class="topic-initial">
// (decorative: the topic's name is next to it).
export function topicIcon(topic, lang) {
  const tp = topic || {};
  const d = Object.prototype.hasOwnProperty.call(TOPIC_ICONS, tp.id) ? TOPIC_ICONS[tp.id] : '';
  return el(
    'span',
    { class: 'topic-initial', 'aria-hidden': 'true', dataset: { topicIcon: d ? tp.id : 'letter' } },
    d ? drawing(d) : initial(tp, lang),
  );
}
