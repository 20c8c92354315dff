/*
 * Starts N idle processes for the process-table benchmarks and keeps them
 * until stdin closes (or a line is read), then kills and reaps exactly
 * those. Each child executes this program again (as "idle-procs --child",
 * which only waits), so that like a real process it has memory of its own:
 * children that only fork share every page with the parent, the one holding
 * their arguments included, and the kernel's reads of 10,000 command lines
 * from one page do not run in parallel. Prints "ready" once every child has
 * executed. Usage: idle-procs N
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--child") == 0) {
    for (;;) pause();
  }
  int n = argc > 1 ? atoi(argv[1]) : 100;
  pid_t *kids = calloc((size_t)n, sizeof *kids);
  pid_t parent = getpid();
  /* Closed in each child by its exec (O_CLOEXEC): the read end sees the end of file once all of them have executed. */
  int done[2];
  if (pipe2(done, O_CLOEXEC) != 0) {
    perror("pipe2");
    return 1;
  }
  for (int i = 0; i < n; i++) {
    pid_t p = fork();
    if (p == 0) {
      /* Die with the parent, whatever happens to it (kept across exec). */
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(0);
      close(done[0]);
      execl("/proc/self/exe", argv[0], "--child", (char *)NULL);
      for (;;) pause();
    }
    if (p < 0) {
      perror("fork");
      n = i;
      break;
    }
    kids[i] = p;
  }
  close(done[1]);
  char c;
  while (read(done[0], &c, 1) > 0) {
  }
  printf("ready %d\n", n);
  fflush(stdout);
  char line[16];
  (void)!fgets(line, sizeof line, stdin);
  for (int i = 0; i < n; i++) kill(kids[i], SIGKILL);
  for (int i = 0; i < n; i++) waitpid(kids[i], NULL, 0);
  return 0;
}
