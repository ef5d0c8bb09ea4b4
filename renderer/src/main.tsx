import { init } from './actions.js';
import { connect } from './transport/client.js';
import './styles.css';

// The host starts opening the clip first; React DOM, plotly and the views (most of the script)
// load and evaluate while it answers, instead of before it is asked.
void init(connect());
const [{ createRoot }, { App }] = await Promise.all([import('react-dom/client'), import('./App.js')]);
performance.mark('omz:views-loaded');
createRoot(document.getElementById('root') as HTMLElement).render(<App />);
