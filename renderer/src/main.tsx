import { createRoot } from 'react-dom/client';
import { init } from './actions.js';
import { App } from './App.js';
import { connect } from './transport/client.js';
import './styles.css';

createRoot(document.getElementById('root') as HTMLElement).render(<App />);
void init(connect());
