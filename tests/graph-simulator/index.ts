export { GraphSimulator } from './GraphSimulator';
export type {
  GraphSimulatorOptions, StartedSimulator, RequestLogEntry, RequestArea, SiteInfo, ItemSnapshot, ListSnapshot,
} from './GraphSimulator';
export { FaultInjector, mulberry32, ALL_FAULT_KINDS } from './faults';
export type { FaultKind, RandomFaultOptions } from './faults';
export type { SiteRole } from './model';
