import { render } from 'preact';
import { takeKeyFromFragment } from './api';
import { App } from './app';
import './styles.css';

takeKeyFromFragment();
// A `#key=…` link opened in a tab that already shows the console changes only the fragment.
addEventListener('hashchange', takeKeyFromFragment);
render(<App />, document.getElementById('app')!);
