#include "app/loader.hpp"

#include <cstddef>

#include <fmt/format.h>

namespace forkhorn {

int exit_code_for(app_error e)
{
    switch (e) {
    case app_error::none: return 0;
    case app_error::init: return 3;
    default: return 4;
    }
}

void split_app_spec(const std::string& spec, std::string& path, std::string& symbol)
{
    auto colon = spec.rfind(':');
    bool has_symbol =
        colon != std::string::npos && colon + 1 < spec.size() && spec.find_first_of("/\\", colon) == std::string::npos;
    path = has_symbol ? spec.substr(0, colon) : spec;
    symbol = has_symbol ? spec.substr(colon + 1) : "app";
}

app_host::~app_host() { shutdown(); }

app_error app_host::load(const std::string& spec, std::string& message)
{
    std::string path, symbol;
    split_app_spec(spec, path, symbol);
    if (path.empty()) return message = fmt::format("invalid application '{}'", spec), app_error::bad_spec;
    if (auto err = library_.open(path))
        return message = fmt::format("cannot load application library '{}': {}", path, *err), app_error::library;
    std::string why;
    auto entry = reinterpret_cast<fh_app_entry>(library_.symbol(symbol, why));
    if (!entry)
        return message = fmt::format("application library '{}' has no symbol '{}'", path, symbol), app_error::symbol;
    app_ = entry();
    if (!app_)
        return message = fmt::format("'{}:{}' returned no application descriptor", path, symbol), app_error::descriptor;
    if (app_->abi_version != FORKHORN_ABI_VERSION)
        return message = fmt::format("'{}:{}' was built for app ABI version {}, this server speaks version {}", path,
                                     symbol, app_->abi_version, FORKHORN_ABI_VERSION),
               app_error::abi;
    if (app_->struct_size < offsetof(fh_app, handle) + sizeof(app_->handle) || !app_->handle)
        return message = fmt::format("'{}:{}' has no request handler", path, symbol), app_error::descriptor;
    return app_error::none;
}

app_error app_host::init(const fh_server_api* api, std::string& message)
{
    if (app_->init) {
        int rc = app_->init(api, &state_);
        if (rc != 0) return message = fmt::format("application init failed with code {}", rc), app_error::init;
    }
    initialized_ = true;
    return app_error::none;
}

const fh_hooks* app_host::hooks() const
{
    if (!app_ || app_->struct_size < offsetof(fh_app, hooks) + sizeof(const fh_hooks*)) return nullptr;
    return app_->hooks;
}

void app_host::unload()
{
    shutdown();
    app_ = nullptr;
    state_ = nullptr;
    library_ = platform::library();
}

void app_host::shutdown()
{
    if (initialized_ && app_->shutdown) app_->shutdown(state_);
    initialized_ = false;
}

} // namespace forkhorn
