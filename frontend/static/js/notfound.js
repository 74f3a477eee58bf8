// The 404 page has no data of its own: this only wires the layout (the
// phone menu button, the language switch, the signed-in menu).
import { initLayout } from './layout.js?v=__V__';

initLayout();
