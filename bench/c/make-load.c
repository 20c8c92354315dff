/*
 * Makes a large /proc file for the parse-cost benchmarks and waits until
 * stdin closes (or a line is read). Prints "ready <pid>" when done.
 *   make-load maps N     N separate mappings in this process (its smaps, maps)
 *   make-load sockets N  N listening TCP sockets on 127.0.0.1 (net/tcp)
 *   make-load mounts N   a private mount namespace with N more tmpfs mounts (its mountinfo)
 *   make-load unix N     N connected Unix-domain sockets, in pairs (net/unix)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: make-load maps|sockets|unix|mounts N\n");
    return 2;
  }
  int n = atoi(argv[2]);
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (strcmp(argv[1], "maps") == 0) {
    long page = sysconf(_SC_PAGESIZE);
    /* One region, then every other page made read-only: n separate mappings that cannot merge. */
    n /= 2;
    char *base = mmap(NULL, (size_t)page * 2 * (size_t)n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) { perror("mmap"); return 1; }
    for (int i = 0; i < n; i++) {
      base[(size_t)i * 2 * (size_t)page] = 1;
      if (mprotect(base + ((size_t)i * 2 + 1) * (size_t)page, (size_t)page, PROT_READ) != 0) { perror("mprotect"); return 1; }
    }
  } else if (strcmp(argv[1], "sockets") == 0) {
    for (int i = 0; i < n; i++) {
      int s = socket(AF_INET, SOCK_STREAM, 0);
      struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
      if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 1) != 0) { perror("socket"); return 1; }
    }
  } else if (strcmp(argv[1], "unix") == 0) {
    for (int i = 0; i < n / 2; i++) {
      int sv[2];
      if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) { perror("socketpair"); return 1; }
    }
  } else if (strcmp(argv[1], "mounts") == 0) {
    if (unshare(CLONE_NEWNS) != 0) { perror("unshare"); return 1; }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) { perror("mount private"); return 1; }
    char dir[] = "/tmp/procspec-mounts-XXXXXX";
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    if (mount("none", dir, "tmpfs", 0, "size=1m") != 0) { perror("mount"); return 1; }
    char path[256];
    for (int i = 0; i < n; i++) {
      snprintf(path, sizeof path, "%s/m%d", dir, i);
      mkdir(path, 0700);
      if (mount("none", path, "tmpfs", 0, "size=4k") != 0) { perror("mount"); return 1; }
    }
  } else {
    fprintf(stderr, "unknown load %s\n", argv[1]);
    return 2;
  }
  printf("ready %d\n", getpid());
  fflush(stdout);
  char line[16];
  (void)!fgets(line, sizeof line, stdin);
  return 0;
}
