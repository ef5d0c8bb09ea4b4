/** Mounted charts by id, so the export panel can render each as PNG/SVG. */
const charts = new Map<string, { title: string; element: HTMLElement }>();

export function registerChartElement(id: string, title: string, element: HTMLElement): () => void {
  charts.set(id, { title, element });
  return () => {
    if (charts.get(id)?.element === element) charts.delete(id);
  };
}

export function mountedCharts(): { id: string; title: string; element: HTMLElement }[] {
  return [...charts].map(([id, c]) => ({ id, ...c }));
}
