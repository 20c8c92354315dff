/*
 * Starts N idle processes for the process-table benchmarks and keeps them
 * until stdin closes (or a line is read), then kills and reaps exactly
 * those. Prints "ready" once they all exist. Usage: idle-procs N
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 100;
  pid_t *kids = calloc((size_t)n, sizeof *kids);
  pid_t parent = getpid();
  for (int i = 0; i < n; i++) {
    pid_t p = fork();
    if (p == 0) {
      /* Die with the parent, whatever happens to it. */
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(0);
      for (;;) pause();
    }
    if (p < 0) {
      perror("fork");
      n = i;
      break;
    }
    kids[i] = p;
  }
  printf("ready %d\n", n);
  fflush(stdout);
  char line[16];
  (void)!fgets(line, sizeof line, stdin);
  for (int i = 0; i < n; i++) kill(kids[i], SIGKILL);
  for (int i = 0; i < n; i++) waitpid(kids[i], NULL, 0);
  return 0;
}
