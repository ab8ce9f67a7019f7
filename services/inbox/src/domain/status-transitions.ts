import type { StatusCode } from '@lienthong/contracts'

/**
 * The steps a recipient may record next, from each state: arrived (01) is accepted (03) or refused
 * (02); an accepted document is assigned (04), worked on (05) and completed (06).
 */
export const NEXT_STEPS: Readonly<Record<StatusCode, readonly StatusCode[]>> = {
  '01': ['02', '03'],
  '02': [],
  '03': ['04', '05', '06'],
  '04': ['05', '06'],
  '05': ['06'],
  '06': [],
  '13': ['15', '16'],
  '15': [],
  '16': []
}

export function allowedNext (state: StatusCode): readonly StatusCode[] {
  return NEXT_STEPS[state]
}
