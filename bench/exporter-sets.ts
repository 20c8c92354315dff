/** The collector sets the exporter benches compare: node_exporter's collectors that read /proc, and procspec's collectors of the same files. */

/** node_exporter's collectors that read /proc. */
export const NODE_PROC = ['cpu', 'stat', 'meminfo', 'loadavg', 'diskstats', 'netdev', 'vmstat', 'pressure', 'filefd', 'sockstat', 'netstat', 'softnet'];

/** procspec's collectors of the files NODE_PROC reads. */
export const PROCSPEC_PROC = [
  'stat',
  'meminfo',
  'loadavg',
  'diskstats',
  'net_dev',
  'vmstat',
  'pressure',
  'sys_fs_file_nr',
  'net_sockstat',
  'net_sockstat6',
  'net_netstat',
  'net_snmp',
  'net_snmp6',
  'net_softnet_stat',
];
