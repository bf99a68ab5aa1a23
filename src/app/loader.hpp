// Loads an application library (`path:symbol`) and checks its ABI before calling it.
#pragma once

#include <optional>
#include <string>

#include <forkhorn/app.h>

#include "library.hpp"

namespace forkhorn {

/// Why an app could not be loaded; the worker's exit code follows Gunicorn's
/// (4 = the app could not be loaded, 3 = the worker failed to boot).
enum class app_error { none, bad_spec, library, symbol, descriptor, abi, init };

int exit_code_for(app_error e);

class app_host {
public:
    app_host() = default;
    ~app_host();
    app_host(const app_host&) = delete;
    app_host& operator=(const app_host&) = delete;

    /// Loads `spec` ("./libhello.so:app"; the symbol defaults to "app"). Sets `message` to one
    /// line naming the problem on failure.
    app_error load(const std::string& spec, std::string& message);
    /// Runs the app's per-worker init.
    app_error init(const fh_server_api* api, std::string& message);
    /// Runs the app's shutdown hook once, if init succeeded.
    void shutdown();

    const fh_app& app() const { return *app_; }
    void* state() const { return state_; }
    bool loaded() const { return app_ != nullptr; }
    bool initialized() const { return initialized_; }
    /// The app's hooks table, or nullptr (none, or an app built before hooks existed).
    const fh_hooks* hooks() const;
    /// Unloads the library (after shutdown) so that the next load() reads it from disk again.
    void unload();

private:
    platform::library library_;
    const fh_app* app_ = nullptr;
    void* state_ = nullptr;
    bool initialized_ = false;
};

/// Calls `member` of `hooks` with `args` when the app provides it (and its table is recent
/// enough to have that member).
template <typename F, typename... Args>
void call_hook(const fh_hooks* hooks, F fh_hooks::*member, Args... args)
{
    if (!hooks) return;
    auto offset = static_cast<std::size_t>(reinterpret_cast<const char*>(&(hooks->*member)) -
                                           reinterpret_cast<const char*>(hooks));
    if (offset + sizeof(F) > hooks->struct_size) return;
    if (auto fn = hooks->*member) fn(args...);
}

/// Splits "path:symbol" (a Windows drive colon is not a separator).
void split_app_spec(const std::string& spec, std::string& path, std::string& symbol);

} // namespace forkhorn
