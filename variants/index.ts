// The catalog of protocol variants (issue 14): named changes to BFT-PK, each with the thesis text
// it changes and what it is expected to do. `pbft-check mutants` runs the search on each.
import type { VariantDef } from './api.ts';
import { CHECKPOINT_VARIANTS } from './checkpoints.ts';
import { CLIENT_VARIANTS } from './client.ts';
import { LIVENESS_VARIANTS } from './liveness.ts';
import { NETWORK_VARIANTS } from './network.ts';
import { NORMAL_CASE_VARIANTS } from './normal-case.ts';
import { REQUEST_VARIANTS } from './requests.ts';
import { VIEW_CHANGE_VARIANTS } from './view-change.ts';

export const CATALOG: readonly VariantDef[] = [
  ...REQUEST_VARIANTS,
  ...NORMAL_CASE_VARIANTS,
  ...VIEW_CHANGE_VARIANTS,
  ...CHECKPOINT_VARIANTS,
  ...CLIENT_VARIANTS,
  ...NETWORK_VARIANTS,
  ...LIVENESS_VARIANTS,
];
