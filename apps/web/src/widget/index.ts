// The widget bundle's entry: one script tag defines <switchboard-call>. Defining twice (the
// script included twice) is a no-op rather than an error.
import { SwitchboardCallElement } from './SwitchboardCallElement.js';

export type {
  SwitchboardStateEvent,
  WidgetError,
  WidgetSnapshot,
  WidgetStateName,
} from './SwitchboardCallElement.js';
export { SwitchboardCallElement };

if (!customElements.get('switchboard-call'))
  customElements.define('switchboard-call', SwitchboardCallElement);
