/*
 * Baseline for the process-table benchmarks: reads /proc the way a careful
 * C program does (one open, read into a reused buffer, close per file) and
 * extracts the fields of the `ps` task. Usage:
 *   ps-reader MODE ROUNDS
 * MODE: ps (stat + cmdline), stat (stat only), refresh (ps task on files
 * kept open, re-read with pread at offset 0), meminfo, stat1 (/proc/stat),
 * meminfo-kept, stat1-kept (the file opened once, re-read with pread);
 * files, files-kept: the files named after ROUNDS, all of them read (and
 * their numbers parsed) per call, as one system sample (one file: that
 * file's row).
 * Prints one line per round: "<mode> <processes> <nanoseconds>".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 16];

struct row {
  int pid, ppid;
  char state;
  char comm[64];
  unsigned long long utime, stime;
  long rss;
  char cmdline[256];
};

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Reads a whole file (any size) into buf; returns the length or -1. */
static ssize_t read_fd(int fd, off_t at) {
  ssize_t n = 0, r;
  while ((r = pread(fd, buf + n, sizeof buf - 1 - n, at + n)) > 0) n += r;
  if (r < 0) return -1;
  buf[n] = 0;
  return n;
}

static ssize_t read_file(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read_fd(fd, 0);
  close(fd);
  return n;
}

/* Fields of pid/stat: comm ends at the last ')'. */
static int parse_stat(struct row *r, ssize_t n) {
  char *open = strchr(buf, '('), *close = strrchr(buf, ')');
  if (!open || !close || close < open) return -1;
  size_t len = (size_t)(close - open - 1);
  if (len >= sizeof r->comm) len = sizeof r->comm - 1;
  memcpy(r->comm, open + 1, len);
  r->comm[len] = 0;
  r->pid = atoi(buf);
  char *p = close + 2;
  r->state = *p;
  p += 2;
  /* ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ... rss is field 24 */
  long long f[22];
  for (int i = 0; i < 22; i++) f[i] = strtoll(p, &p, 10);
  r->ppid = (int)f[0];
  r->utime = (unsigned long long)f[10];
  r->stime = (unsigned long long)f[11];
  r->rss = (long)f[20];
  (void)n;
  return 0;
}

static void parse_cmdline(struct row *r, ssize_t n) {
  size_t len = n < (ssize_t)sizeof r->cmdline - 1 ? (size_t)n : sizeof r->cmdline - 1;
  for (size_t i = 0; i < len; i++) r->cmdline[i] = buf[i] ? buf[i] : ' ';
  r->cmdline[len] = 0;
}

static int pids(int *out, int max) {
  DIR *d = opendir("/proc");
  struct dirent *e;
  int n = 0;
  while ((e = readdir(d)) && n < max) {
    if (e->d_name[0] >= '1' && e->d_name[0] <= '9') out[n++] = atoi(e->d_name);
  }
  closedir(d);
  return n;
}

static volatile long sink;

/* Every number of buf[0, n), as a parser must read them. */
static long long parse_numbers(ssize_t n) {
  long long total = 0;
  for (char *p = buf; p < buf + n; p++) {
    if (*p >= '0' && *p <= '9') total += strtoll(p, &p, 10);
  }
  return total;
}

/* files / files-kept: 1000 calls a round, each reading and parsing every file named. */
static int files(const char *mode, int rounds, int nfiles, char **paths) {
  static int fds[256];
  int kept = strcmp(mode, "files-kept") == 0;
  if (nfiles > 256) nfiles = 256;
  for (int f = 0; f < nfiles; f++) fds[f] = kept ? open(paths[f], O_RDONLY | O_CLOEXEC) : -1;
  for (int k = 0; k < rounds; k++) {
    long long t0 = now_ns();
    for (int i = 0; i < 1000; i++) {
      for (int f = 0; f < nfiles; f++) {
        ssize_t n = kept ? read_fd(fds[f], 0) : read_file(paths[f]);
        if (n > 0) sink += parse_numbers(n);
      }
    }
    printf("%s %d %lld\n", mode, 1000, now_ns() - t0);
  }
  return 0;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "ps";
  int rounds = argc > 2 ? atoi(argv[2]) : 5;
  if (strncmp(mode, "files", 5) == 0) return files(mode, rounds, argc - 3, argv + 3);
  static int list[200000];
  static int statfd[200000], cmdfd[200000];
  struct row r;
  char path[64];
  int refresh = strcmp(mode, "refresh") == 0;
  int kept = 0;
  if (refresh) {
    /* Keep two files per process open: raise the soft descriptor limit to the hard one. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
      rl.rlim_cur = rl.rlim_max;
      setrlimit(RLIMIT_NOFILE, &rl);
    }
    kept = pids(list, 200000);
    for (int i = 0; i < kept; i++) {
      snprintf(path, sizeof path, "/proc/%d/stat", list[i]);
      statfd[i] = open(path, O_RDONLY | O_CLOEXEC);
      snprintf(path, sizeof path, "/proc/%d/cmdline", list[i]);
      cmdfd[i] = open(path, O_RDONLY | O_CLOEXEC);
    }
  }
  /* Single files: meminfo and stat1 open, read and close per call; with
     "-kept" the descriptor is opened once and re-read with pread at 0. */
  int single_file = strncmp(mode, "meminfo", 7) == 0 || strncmp(mode, "stat1", 5) == 0;
  const char *single_path = mode[0] == 'm' ? "/proc/meminfo" : "/proc/stat";
  int single_fd = single_file && strstr(mode, "-kept") ? open(single_path, O_RDONLY | O_CLOEXEC) : -1;
  for (int k = 0; k < rounds; k++) {
    long long t0 = now_ns();
    int count = 0;
    if (single_file) {
      for (int i = 0; i < 1000; i++) {
        ssize_t n = single_fd >= 0 ? read_fd(single_fd, 0) : read_file(single_path);
        sink += parse_numbers(n);
      }
      count = 1000;
    } else {
      /* refresh re-reads the processes it opened; the others list /proc anew each round */
      int n = refresh ? kept : pids(list, 200000);
      for (int i = 0; i < n; i++) {
        ssize_t len;
        if (refresh) {
          if (statfd[i] < 0) continue;
          len = read_fd(statfd[i], 0);
        } else {
          snprintf(path, sizeof path, "/proc/%d/stat", list[i]);
          len = read_file(path);
        }
        if (len < 0 || parse_stat(&r, len) < 0) continue;
        if (strcmp(mode, "stat") != 0) {
          if (refresh) len = cmdfd[i] < 0 ? -1 : read_fd(cmdfd[i], 0);
          else {
            snprintf(path, sizeof path, "/proc/%d/cmdline", list[i]);
            len = read_file(path);
          }
          if (len < 0) continue;
          parse_cmdline(&r, len);
        }
        sink += r.pid + r.rss;
        count++;
      }
    }
    printf("%s %d %lld\n", mode, count, now_ns() - t0);
  }
  return 0;
}
