// /review: the data authority's review queue (001 Art 17).
import { startList } from './list.js?v=__V__';

startList('review');
