// Vite's ?raw import: the plotly bundle's source text, inlined into exported HTML reports.
declare module 'plotly.js/dist/plotly-cartesian.min.js?raw' {
  const source: string;
  export default source;
}
