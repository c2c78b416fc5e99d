export {
  LeaseTable,
  type ILeaseTable,
  LEASE_ACCESS_ACTIONS,
  STEP_ACCESS_ACTIONS,
  LEASE_TABLE_OPERATIONS,
  type LeaseTableProps,
  type GrantLeaseAccessOptions,
} from './lease-table.js';
export { LeaseTableAlarms, type LeaseTableAlarmsOptions, type LeaseTableAlarmsProps } from './lease-table-alarms.js';
export { CronSingleton, type CronSingletonProps } from './cron-singleton.js';
export {
  CronSingletonAlarms,
  type CronSingletonAlarmOptions,
  type CronSingletonAlarmsProps,
  type NoLeaderRunAlarmOptions,
} from './cron-singleton-alarms.js';
export { CronSingletonDashboard, type CronSingletonDashboardProps } from './cron-singleton-dashboard.js';
export { LambdaScheduleTarget, type LambdaScheduleTargetProps } from './lambda-schedule-target.js';
export { DEFAULT_RUNBOOK_URL, REPOSITORY_URL, type AlarmOptions } from './alarm-options.js';
export { ElectorAlarms, type ElectorAlarmsProps } from './elector-alarms.js';
