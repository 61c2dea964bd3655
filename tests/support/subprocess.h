// Runs a program as a child process with its stdout on a pipe: for tests of the built binary and
// of the Debian tools (kcat, promtool). POSIX only.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tradewatch::testing {

class Subprocess {
 public:
  // Starts argv[0] (searched in PATH) with stdout (and stderr when `merge_stderr`) on a pipe.
  explicit Subprocess(const std::vector<std::string>& argv, bool merge_stderr = false) {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      if (merge_stderr) dup2(fds[1], STDERR_FILENO);
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fds[0];
  }
  ~Subprocess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      Wait();
    }
    if (out_ >= 0) close(out_);
  }
  bool started() const { return pid_ > 0; }

  // Reads lines until one satisfies `match` (returned) or the deadline passes / output ends.
  std::optional<std::string> ReadUntil(const std::function<bool(const std::string&)>& match,
                                       std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      size_t newline;
      while ((newline = buffer_.find('\n')) != std::string::npos) {
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        output_ += line + "\n";
        if (match(line)) return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd pfd{out_, POLLIN, 0};
      if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
      char chunk[4096];
      ssize_t n = read(out_, chunk, sizeof(chunk));
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  // Everything read so far plus the rest of the output (until the child closes it).
  std::string ReadAll() {
    char chunk[4096];
    ssize_t n;
    while ((n = read(out_, chunk, sizeof(chunk))) > 0) buffer_.append(chunk, static_cast<size_t>(n));
    output_ += buffer_;
    buffer_.clear();
    return output_;
  }

  void Signal(int signal) {
    if (pid_ > 0 && !exited_) kill(pid_, signal);
  }

  // The exit code (128 + signal when killed).
  int Wait() {
    if (exited_) return status_;
    int status = 0;
    waitpid(pid_, &status, 0);
    exited_ = true;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return status_;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  bool exited_ = false;
  int status_ = -1;
  std::string buffer_;
  std::string output_;
};

// Runs a program to completion: {exit code, stdout (+ stderr when merged)}.
inline std::pair<int, std::string> RunProgram(const std::vector<std::string>& argv,
                                              bool merge_stderr = true) {
  Subprocess p(argv, merge_stderr);
  std::string out = p.ReadAll();
  return {p.Wait(), out};
}

// The Debian tool's path, or "" when it is not installed.
inline std::string FindProgram(const std::string& name) {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"}) {
    std::string path = std::string(dir) + "/" + name;
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

}  // namespace tradewatch::testing
