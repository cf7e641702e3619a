/**
 * The conditions of a user's ServiceExport (KEP-1645): Valid, Ready and Conflict, with the
 * reasons mcs-api v0.5.x lists. ServiceExports live in members, where nothing of ours runs to
 * refuse them, so an invalid export is reported here, on its own conditions. Pure.
 */
import { EXPORT_CONFLICT, EXPORT_READY, EXPORT_VALID, REASON } from '../api/multicluster.ts';
import type { WantedCondition } from '../plan/conditions.ts';
import type { ExportVerdict } from './exports.ts';
import type { MergedExport } from './merge.ts';

/** What a ServiceExport's conditions should say, and the types to take off it. */
export interface ExportConditions {
  readonly set: readonly WantedCondition[];
  readonly remove: readonly string[];
}

/**
 * The conditions of one export. A valid one is Ready once it takes part in the ServiceImport,
 * and every exporter carries the same Conflict condition (the KEP asks for it at least on the
 * conflicting exports and recommends it on all). A refused one is Valid=False and Ready=False,
 * and takes no part in conflicts.
 */
export function exportConditions(v: ExportVerdict, merged: MergedExport | undefined): ExportConditions {
  const generation = v.serviceExport.metadata?.generation;
  const ref = `${v.serviceExport.metadata?.namespace ?? ''}/${v.serviceExport.metadata?.name ?? ''}`;
  const at = (c: Omit<WantedCondition, 'observedGeneration'>): WantedCondition =>
    generation === undefined ? c : { ...c, observedGeneration: generation };
  if (v.kind === 'invalid') {
    return {
      set: [
        at({ type: EXPORT_VALID, status: 'False', reason: v.reason, message: v.message }),
        at({
          type: EXPORT_READY,
          status: 'False',
          reason: REASON.failed,
          message: `not exported: ${v.message}`,
        }),
      ],
      remove: [EXPORT_CONFLICT],
    };
  }
  const exporters = merged?.exporters ?? [v.cluster];
  const conflict =
    merged && merged.conflicts.length > 0
      ? at({
          type: EXPORT_CONFLICT,
          status: 'True',
          reason: merged.conflicts.join(','),
          message: merged.conflictDetails.join('; '),
        })
      : at({
          type: EXPORT_CONFLICT,
          status: 'False',
          reason: REASON.noConflicts,
          message: `the Services exported as ${ref} agree`,
        });
  return {
    set: [
      at({
        type: EXPORT_VALID,
        status: 'True',
        reason: REASON.valid,
        message: `Service ${ref} can be exported`,
      }),
      at({
        type: EXPORT_READY,
        status: 'True',
        reason: REASON.exported,
        message: `Service ${ref} is exported by ${exporters.join(', ')}`,
      }),
      conflict,
    ],
    remove: [],
  };
}
