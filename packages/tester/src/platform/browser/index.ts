export { BrowserPlatform } from './BrowserPlatform.js';
