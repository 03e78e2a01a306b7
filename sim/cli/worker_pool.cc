#include "sim/cli/worker_pool.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <map>
#include <sstream>

namespace planelab {

namespace {

std::atomic<int> g_stop{0};
void OnStop(int sig) { g_stop = sig; }

pid_t Launch(const WorkerJob& job) {
  pid_t pid = fork();
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY), out = open("/dev/null", O_WRONLY);
    int err = open(job.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(out, 1);
    if (err >= 0) dup2(err, 2);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    std::vector<std::string> args = job.args;
    args.insert(args.begin(), "planelab");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

int RunWorkerJobs(std::vector<WorkerJob>& jobs, int parallel, const std::function<void(size_t)>& done) {
  g_stop = 0;
  struct sigaction sa {}, old_int {}, old_term {};
  sa.sa_handler = OnStop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  std::map<pid_t, size_t> running;
  size_t next = 0;
  parallel = parallel < 1 ? 1 : parallel;
  for (;;) {
    while (!g_stop && static_cast<int>(running.size()) < parallel && next < jobs.size()) {
      size_t i = next++;
      pid_t pid = Launch(jobs[i]);
      if (pid < 0) {
        jobs[i].exit_code = 127;
        done(i);
        continue;
      }
      running[pid] = i;
    }
    if (running.empty()) break;
    int status = 0;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) {
        if (g_stop) {
          for (auto& [p, i] : running) kill(p, SIGTERM);
        }
        continue;
      }
      break;
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    size_t i = it->second;
    running.erase(it);
    jobs[i].exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    done(i);
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  return g_stop;
}

int WorkerStopRequested() { return g_stop; }

std::string LogTail(const std::string& path, size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  std::string t = s.str();
  if (t.size() > n) t = "..." + t.substr(t.size() - n);
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  return t;
}

}  // namespace planelab
