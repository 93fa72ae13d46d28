/**
 * Each panel family registers its own commands, serializers and custom editors here; `activate` calls
 * every registration once with the shared services.
 */
import type { Services } from '../services';
import { registerComparePanel } from './compare-panel';
import { registerMapperPanel } from './mapper-panel';
import { registerModelFlowPanel } from './model-flow-panel';
import { registerPolytopePanels } from './polytope-panel';

export type PanelRegistration = (services: Services) => void;

/** Every panel family's registration function, in the order `activate` calls them. */
export const panelRegistrations: PanelRegistration[] = [
  registerMapperPanel,
  registerComparePanel,
  registerModelFlowPanel,
  registerPolytopePanels,
];
