// Department and topic pages (/departments, /departments/{id}, /topics,
// /topics/{id}): the server renders them whole; the script only wires the
// shared header (language switch, menu button, the reader's menu).

import { initLayout } from './layout.js?v=__V__';

initLayout();
