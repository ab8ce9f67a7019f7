import { laocai2023 } from './laocai-2023.ts'
import type { Scenario } from './scenario.ts'

/** The scenarios `lienthong simulate --scenario <name>` knows. */
export const SCENARIOS: Record<string, () => Scenario> = {
  'laocai-2023': laocai2023
}
