/**
 * Each panel family registers its own commands, serializers and custom editors here; `activate` calls
 * every registration once with the shared services.
 */
import type { Services } from '../services';

export type PanelRegistration = (services: Services) => void;

/** Every panel family's registration function, in the order `activate` calls them. */
export const panelRegistrations: PanelRegistration[] = [];
