// Vite's ?raw import: the plotly bundle's source text, inlined into exported HTML reports.
declare module 'plotly.js-cartesian-dist-min/plotly-cartesian.min.js?raw' {
  const source: string;
  export default source;
}
