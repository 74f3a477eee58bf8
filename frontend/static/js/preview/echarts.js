// Loads the vendored ECharts (a classic script: allowed by the CSP's
// script-src 'self', no eval) the first time a chart or map is shown, and
// the province map it draws on. Both are fetched once per page.

let echartsPromise = null;
let mapPromise = null;

export const MAP_NAME = 'heilongjiang';

export function loadECharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  if (!echartsPromise) {
    echartsPromise = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/static/vendor/echarts/echarts.min.js?v=__V__';
      s.async = true;
      s.dataset.vendor = 'echarts';
      s.addEventListener('load', () => (window.echarts ? resolve(window.echarts) : reject(new Error('echarts did not load'))));
      s.addEventListener('error', () => {
        echartsPromise = null; // a later tab switch may try again
        s.remove();
        reject(new Error('echarts did not load'));
      });
      document.head.append(s);
    });
  }
  return echartsPromise;
}

// The 13 prefecture-level divisions (GeoJSON, properties adcode + name),
// registered with ECharts as MAP_NAME. Resolves to the GeoJSON.
export function loadProvinceMap() {
  if (!mapPromise) {
    mapPromise = Promise.all([
      loadECharts(),
      fetch('/static/vendor/maps/heilongjiang.json?v=__V__', { credentials: 'same-origin' }).then((r) => {
        if (!r.ok) throw new Error(`map: HTTP ${r.status}`);
        return r.json();
      }),
    ]).then(
      ([echarts, geo]) => {
        echarts.registerMap(MAP_NAME, geo);
        return geo;
      },
      (err) => {
        mapPromise = null;
        throw err;
      },
    );
  }
  return mapPromise;
}
