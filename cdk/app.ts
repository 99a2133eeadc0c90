/** `cdk` CLI entry point (cdk.json). The CLI synthesises the app when this process exits. */
import { createSamsaApp } from './samsa-app';

createSamsaApp();
