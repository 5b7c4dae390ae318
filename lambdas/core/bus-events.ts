/**
 * Events other than alerts on the guard's custom bus (alerts: core/alerts.ts). Each detail-type
 * has a JSON Schema in schemas/ (README, "Event schemas").
 */
/** Where CI build reports travel (`record-build --bus`). */
export const BUILD_EVENT_SOURCE = 'artifact-guard.ci';
export const BUILD_RECORDED = 'Build Recorded';
