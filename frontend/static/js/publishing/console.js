// /console: the department console's catalog list.
import { startList } from './list.js?v=__V__';

startList('console');
