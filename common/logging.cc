#include "common/logging.h"

#include <mutex>
#include <string>

#include "spdlog/sinks/stdout_color_sinks.h"

namespace tradewatch {
namespace {

std::mutex& LoggersMutex() {
  static std::mutex mutex;
  return mutex;
}

bool& LevelWasSet() {
  static bool set = false;
  return set;
}

spdlog::level::level_enum& CurrentLevel() {
  static spdlog::level::level_enum level = spdlog::level::info;
  return level;
}

}  // namespace

std::shared_ptr<spdlog::logger> Logger(std::string_view name) {
  std::lock_guard<std::mutex> lock(LoggersMutex());
  std::string key(name);
  if (auto existing = spdlog::get(key)) return existing;
  auto logger = spdlog::stderr_color_mt(key);
  logger->set_level(CurrentLevel());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
  return logger;
}

bool SetLogLevel(std::string_view level) {
  auto parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") return false;
  std::lock_guard<std::mutex> lock(LoggersMutex());
  CurrentLevel() = parsed;
  LevelWasSet() = true;
  spdlog::apply_all([parsed](const std::shared_ptr<spdlog::logger>& l) { l->set_level(parsed); });
  return true;
}

bool LogLevelWasSet() {
  std::lock_guard<std::mutex> lock(LoggersMutex());
  return LevelWasSet();
}

}  // namespace tradewatch
