// The Service Control Manager's side of `forkhorn service`: registering, driving and querying
// services, and the server's arguments stored with each under HKLM. The service process
// itself (run_as_service, notify_service) is in service_run.cpp; the command around both is
// src/cli/service_command.cpp. See docs/windows-service.md.
#include "service.hpp"
#include "system.hpp"
#include "win.hpp"

#include <sddl.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <type_traits>

namespace forkhorn::platform {
namespace {

struct sc_closer {
    void operator()(SC_HANDLE h) const { CloseServiceHandle(h); }
};
using sc_handle = std::unique_ptr<std::remove_pointer_t<SC_HANDLE>, sc_closer>;

service_error failure(std::string message) { return {service_fault::failed, std::move(message)}; }

sc_handle open_manager(DWORD access, std::optional<service_error>& error)
{
    sc_handle manager(OpenSCManagerW(nullptr, nullptr, access));
    if (!manager)
        error = failure("cannot open the service manager: " + win::last_error() + " (run it as an administrator)");
    return manager;
}

/// Opens service `name`, or sets `error` (service_fault::not_installed when there is none).
sc_handle open_service(const std::string& name, DWORD access, std::optional<service_error>& error)
{
    sc_handle manager = open_manager(SC_MANAGER_CONNECT, error);
    if (!manager) return nullptr;
    sc_handle service(OpenServiceW(manager.get(), win::widen(name).c_str(), access));
    DWORD code = GetLastError();
    if (!service)
        error =
            service_error{code == ERROR_SERVICE_DOES_NOT_EXIST ? service_fault::not_installed : service_fault::failed,
                          "cannot open service " + name + ": " + win::error_text(code)};
    return service;
}

std::wstring services_key(const std::string& name)
{
    return L"SYSTEM\\CurrentControlSet\\Services\\" + win::widen(name);
}

std::wstring parameters_key(const std::string& name) { return services_key(name) + L"\\Parameters"; }

// ------------------------------------------------------------------ install

// The SID of group `name` as text ("S-1-5-32-545"), or an error naming it.
std::optional<std::string> group_sid(const std::string& name, std::wstring& sid_text)
{
    std::wstring wide = win::widen(name);
    DWORD sid_size = 0, domain_size = 0;
    SID_NAME_USE use{};
    LookupAccountNameW(nullptr, wide.c_str(), nullptr, &sid_size, nullptr, &domain_size, &use);
    std::string sid(sid_size, '\0');
    std::wstring domain(domain_size, L'\0');
    if (sid_size == 0 ||
        !LookupAccountNameW(nullptr, wide.c_str(), sid.data(), &sid_size, domain.data(), &domain_size, &use))
        return "--control-group: no account named '" + name + "' (" + win::last_error() + ")";
    if (use != SidTypeGroup && use != SidTypeAlias && use != SidTypeWellKnownGroup)
        return "--control-group: '" + name + "' is not a group";
    wchar_t* text = nullptr;
    if (!ConvertSidToStringSidW(sid.data(), &text)) return "--control-group: " + win::last_error();
    sid_text = text;
    LocalFree(text);
    return std::nullopt;
}

// The service's DACL instead of the SCM's default (docs/windows-service.md, "Who may drive it").
std::optional<std::string> set_service_security(SC_HANDLE service, const std::wstring& control_group_sid)
{
    PSECURITY_DESCRIPTOR sd = nullptr;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(win::service_sddl(control_group_sid).c_str(),
                                                              SDDL_REVISION_1, &sd, nullptr))
        return "cannot make the service's access list: " + win::last_error();
    bool set = SetServiceObjectSecurity(service, DACL_SECURITY_INFORMATION, sd);
    std::string why = set ? std::string() : win::last_error();
    LocalFree(sd);
    if (!set) return "cannot set the service's access list: " + why;
    return std::nullopt;
}

// {"Tcpip", "Afd"} -> "Tcpip\0Afd\0\0", the SCM's list format.
std::wstring dependency_list(const std::vector<std::string>& depends)
{
    std::wstring out;
    for (const auto& d : depends) out += win::widen(d) + L'\0';
    return out + L'\0';
}

/// The SCM's names for the built-in accounts; empty = LocalSystem (CreateServiceW's nullptr).
std::wstring account_name(const std::string& account)
{
    std::string lower = account;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower.empty() || lower == "localsystem" || lower == ".\\localsystem") return L"";
    if (lower == "localservice") return L"NT AUTHORITY\\LocalService";
    if (lower == "networkservice") return L"NT AUTHORITY\\NetworkService";
    return win::widen(account);
}

DWORD start_type(service_start start)
{
    switch (start) {
    case service_start::automatic:
    case service_start::delayed: return SERVICE_AUTO_START;
    case service_start::demand: return SERVICE_DEMAND_START;
    case service_start::disabled: return SERVICE_DISABLED;
    case service_start::boot: return SERVICE_BOOT_START;
    }
    return SERVICE_DEMAND_START;
}

std::string this_program()
{
    wchar_t exe[MAX_PATH * 4];
    DWORD n = GetModuleFileNameW(nullptr, exe, static_cast<DWORD>(std::size(exe)));
    return win::narrow(std::wstring_view(exe, n));
}

// `"C:\...\forkhorn.exe" service run --name NAME`: the program quoted, arguments with blanks
// quoted.
std::wstring image_path(const std::vector<std::string>& run_args)
{
    auto quoted = [](const std::string& word) { return '"' + word + '"'; };
    std::string image = quoted(this_program());
    for (const auto& a : run_args) image += ' ' + (a.find_first_of(" \t") == std::string::npos ? a : quoted(a));
    return win::widen(image);
}

// An SCM that does not know a level (wine's lacks FAILURE_ACTIONS_FLAG) gets a warning: the
// service still works, without that refinement. Any other failure undoes the install.
std::optional<std::string> change_config(SC_HANDLE service, DWORD level, void* info, std::string_view what,
                                         std::vector<std::string>& warnings)
{
    if (ChangeServiceConfig2W(service, level, info)) return std::nullopt;
    DWORD code = GetLastError();
    if (code != ERROR_INVALID_LEVEL) return "cannot set the " + std::string(what) + ": " + win::error_text(code);
    warnings.push_back("this service manager cannot set the " + std::string(what) + ": " + win::error_text(code));
    return std::nullopt;
}

// With the flag, a stop with a non-zero exit code counts as a failure, not only a crash.
std::optional<std::string> set_failure_actions(SC_HANDLE service, const service_definition& d,
                                               std::vector<std::string>& warnings)
{
    std::vector<SC_ACTION> actions;
    for (auto delay : d.restart_delays)
        actions.push_back({SC_ACTION_RESTART, static_cast<DWORD>(std::chrono::milliseconds(delay).count())});
    SERVICE_FAILURE_ACTIONSW failure{};
    failure.dwResetPeriod = static_cast<DWORD>(d.failure_reset.count());
    failure.cActions = static_cast<DWORD>(actions.size());
    failure.lpsaActions = actions.data();
    if (auto err = change_config(service, SERVICE_CONFIG_FAILURE_ACTIONS, &failure, "failure actions", warnings))
        return err;
    SERVICE_FAILURE_ACTIONS_FLAG flag{TRUE};
    return change_config(service, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &flag, "failure actions flag", warnings);
}

std::optional<std::string> configure(SC_HANDLE service, const service_definition& d, std::vector<std::string>& warnings)
{
    std::wstring text = win::widen(d.description);
    SERVICE_DESCRIPTIONW description{text.data()};
    if (auto err = change_config(service, SERVICE_CONFIG_DESCRIPTION, &description, "description", warnings))
        return err;
    if (d.start == service_start::delayed) {
        SERVICE_DELAYED_AUTO_START_INFO delayed{TRUE};
        if (auto err =
                change_config(service, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, &delayed, "delayed start", warnings))
            return err;
    }
    if (auto err = set_failure_actions(service, d, warnings)) return err;
    // At shutdown the SCM waits this long for a service that takes PRESHUTDOWN.
    SERVICE_PRESHUTDOWN_INFO preshutdown{static_cast<DWORD>(std::chrono::milliseconds(d.shutdown_wait).count())};
    return change_config(service, SERVICE_CONFIG_PRESHUTDOWN_INFO, &preshutdown, "pre-shutdown timeout", warnings);
}

std::optional<std::string> write_parameters(const std::string& name, const service_parameters& p)
{
    std::wstring multi;
    for (const auto& a : p.args) multi += win::widen(a) + L'\0';
    multi += L'\0';
    std::wstring dir = win::widen(p.working_directory);
    HKEY key = nullptr;
    LSTATUS rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, parameters_key(name).c_str(), 0, nullptr, 0, KEY_SET_VALUE,
                                 nullptr, &key, nullptr);
    if (rc == ERROR_SUCCESS)
        rc = RegSetValueExW(key, L"Args", 0, REG_MULTI_SZ, reinterpret_cast<const BYTE*>(multi.data()),
                            static_cast<DWORD>(multi.size() * sizeof(wchar_t)));
    if (rc == ERROR_SUCCESS)
        rc = RegSetValueExW(key, L"WorkingDirectory", 0, REG_SZ, reinterpret_cast<const BYTE*>(dir.c_str()),
                            static_cast<DWORD>((dir.size() + 1) * sizeof(wchar_t)));
    if (key) RegCloseKey(key);
    if (rc == ERROR_SUCCESS) return std::nullopt;
    return "cannot store the server arguments in HKLM\\" + win::narrow(parameters_key(name)) + ": " +
           win::error_text(static_cast<DWORD>(rc));
}

// One value of the Parameters key, as wide characters without the final terminator(s).
std::optional<std::wstring> read_value(const std::string& name, const wchar_t* value, DWORD type_flag, LSTATUS& rc)
{
    DWORD size = 0;
    rc = RegGetValueW(HKEY_LOCAL_MACHINE, parameters_key(name).c_str(), value, type_flag, nullptr, nullptr, &size);
    if (rc != ERROR_SUCCESS) return std::nullopt;
    std::wstring data(size / sizeof(wchar_t) + 1, L'\0');
    rc = RegGetValueW(HKEY_LOCAL_MACHINE, parameters_key(name).c_str(), value, type_flag, nullptr, data.data(), &size);
    if (rc != ERROR_SUCCESS) return std::nullopt;
    data.resize(size / sizeof(wchar_t));
    while (!data.empty() && data.back() == L'\0') data.pop_back();
    return data;
}

// ------------------------------------------------------------------ status

service_state state_of(DWORD state)
{
    switch (state) {
    case SERVICE_STOPPED: return service_state::stopped;
    case SERVICE_START_PENDING: return service_state::starting;
    case SERVICE_STOP_PENDING: return service_state::stopping;
    case SERVICE_RUNNING: return service_state::running;
    case SERVICE_CONTINUE_PENDING: return service_state::continuing;
    case SERVICE_PAUSE_PENDING: return service_state::pausing;
    case SERVICE_PAUSED: return service_state::paused;
    default: return service_state::unknown;
    }
}

service_status status_of(const SERVICE_STATUS_PROCESS& st)
{
    service_status out;
    out.state = state_of(st.dwCurrentState);
    out.pid = st.dwProcessId;
    // The server's own status for a service-specific error, else the Windows error (1067: the
    // process ended without reporting).
    out.server_exit = st.dwWin32ExitCode == ERROR_SERVICE_SPECIFIC_ERROR;
    if (st.dwWin32ExitCode == ERROR_SERVICE_NEVER_STARTED) // installed, not started yet
        out.exit_code = 0;
    else
        out.exit_code = out.server_exit ? st.dwServiceSpecificExitCode : st.dwWin32ExitCode;
    if (!out.server_exit) out.system_error = win::error_text(st.dwWin32ExitCode);
    out.wait_hint = std::chrono::milliseconds(st.dwWaitHint);
    return out;
}

} // namespace

std::wstring win::service_sddl(const std::wstring& control_group_sid)
{
    // CC query config, LC query status, SW enumerate dependents, LO interrogate, RC read control;
    // RP start, WP stop, DT pause, CR user-defined controls (128..255); DC change config,
    // SD delete, WD/WO change the DACL/owner.
    std::wstring sddl = L"D:(A;;CCLCSWRPWPDTLOCRRC;;;SY)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;BA)"
                        L"(A;;CCLCSWLORC;;;IU)(A;;CCLCSWLORC;;;SU)";
    if (!control_group_sid.empty()) sddl += L"(A;;CCLCSWRPWPDTLOCRRC;;;" + control_group_sid + L")";
    return sddl;
}

std::optional<service_error> install_service(const service_definition& d, std::vector<std::string>& warnings)
{
    std::wstring control_group_sid;
    if (!d.control_group.empty())
        if (auto err = group_sid(d.control_group, control_group_sid))
            return service_error{service_fault::bad_definition, *err};
    std::optional<service_error> error;
    sc_handle manager = open_manager(SC_MANAGER_CREATE_SERVICE, error);
    if (!manager) return error;
    std::wstring image = image_path(d.run_args);
    std::wstring account = account_name(d.account);
    std::wstring password = win::widen(d.password);
    std::wstring depends = dependency_list(d.depends);
    sc_handle service(CreateServiceW(
        manager.get(), win::widen(d.name).c_str(), win::widen(d.display_name).c_str(), SERVICE_ALL_ACCESS,
        SERVICE_WIN32_OWN_PROCESS, start_type(d.start), SERVICE_ERROR_NORMAL, image.c_str(), nullptr, nullptr,
        depends.c_str(), account.empty() ? nullptr : account.c_str(), d.password.empty() ? nullptr : password.c_str()));
    DWORD code = GetLastError();
    if (!service && code == ERROR_SERVICE_EXISTS)
        return service_error{service_fault::already_installed, "service " + d.name + " is already installed"};
    if (!service) return failure("cannot create service " + d.name + ": " + win::error_text(code));
    auto err = set_service_security(service.get(), control_group_sid);
    if (!err) err = configure(service.get(), d, warnings);
    if (!err) err = write_parameters(d.name, d.parameters);
    if (err) {
        DeleteService(service.get()); // nothing half-installed stays behind
        return failure(*err);
    }
    return std::nullopt;
}

std::optional<service_error> delete_service(const std::string& name)
{
    std::optional<service_error> error;
    sc_handle service = open_service(name, DELETE, error);
    if (!service) return error;
    if (!DeleteService(service.get())) return failure("cannot remove service " + name + ": " + win::last_error());
    // The SCM removes the service's key with its Parameters; this covers an SCM that does not.
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, services_key(name).c_str());
    return std::nullopt;
}

std::optional<service_error> start_service(const std::string& name)
{
    std::optional<service_error> error;
    sc_handle service = open_service(name, SERVICE_START, error);
    if (!service) return error;
    if (StartServiceW(service.get(), 0, nullptr)) return std::nullopt;
    DWORD code = GetLastError();
    if (code == ERROR_SERVICE_ALREADY_RUNNING) return std::nullopt;
    return failure("cannot start service " + name + ": " + win::error_text(code));
}

std::optional<service_error> stop_service(const std::string& name)
{
    std::optional<service_error> error;
    sc_handle service = open_service(name, SERVICE_STOP, error);
    if (!service) return error;
    SERVICE_STATUS plain{};
    if (ControlService(service.get(), SERVICE_CONTROL_STOP, &plain)) return std::nullopt;
    DWORD code = GetLastError();
    if (code == ERROR_SERVICE_NOT_ACTIVE || code == ERROR_SERVICE_CANNOT_ACCEPT_CTRL) return std::nullopt;
    return failure("cannot stop service " + name + ": " + win::error_text(code));
}

std::optional<service_error> control_service(const std::string& name, std::uint32_t code)
{
    std::optional<service_error> error;
    sc_handle service = open_service(name, SERVICE_USER_DEFINED_CONTROL, error);
    if (!service) return error;
    SERVICE_STATUS st{};
    if (ControlService(service.get(), code, &st)) return std::nullopt;
    return failure("cannot send control " + std::to_string(code) + " to service " + name + ": " + win::last_error());
}

std::optional<service_error> query_service(const std::string& name, service_status& out)
{
    std::optional<service_error> error;
    sc_handle service = open_service(name, SERVICE_QUERY_STATUS, error);
    if (!service) return error;
    SERVICE_STATUS_PROCESS st{};
    DWORD needed = 0;
    if (!QueryServiceStatusEx(service.get(), SC_STATUS_PROCESS_INFO, reinterpret_cast<BYTE*>(&st), sizeof st, &needed))
        return failure("cannot query service " + name + ": " + win::last_error());
    out = status_of(st);
    return std::nullopt;
}

std::optional<service_error> read_service_config(const std::string& name, service_config& out)
{
    std::optional<service_error> error;
    sc_handle service = open_service(name, SERVICE_QUERY_CONFIG, error);
    if (!service) return error;
    DWORD needed = 0;
    QueryServiceConfigW(service.get(), nullptr, 0, &needed);
    std::string buffer(std::max<DWORD>(needed, sizeof(QUERY_SERVICE_CONFIGW)), '\0');
    auto* qc = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buffer.data());
    if (!QueryServiceConfigW(service.get(), qc, static_cast<DWORD>(buffer.size()), &needed))
        return failure("cannot read the configuration of service " + name + ": " + win::last_error());
    SERVICE_DELAYED_AUTO_START_INFO delayed{FALSE};
    QueryServiceConfig2W(service.get(), SERVICE_CONFIG_DELAYED_AUTO_START_INFO, reinterpret_cast<BYTE*>(&delayed),
                         sizeof delayed, &needed);
    out.start = qc->dwStartType == SERVICE_AUTO_START
                    ? (delayed.fDelayedAutostart ? service_start::delayed : service_start::automatic)
                : qc->dwStartType == SERVICE_DEMAND_START ? service_start::demand
                : qc->dwStartType == SERVICE_DISABLED     ? service_start::disabled
                                                          : service_start::boot;
    auto text = [](const wchar_t* s) { return s ? win::narrow(s) : std::string(); };
    out.display_name = text(qc->lpDisplayName);
    out.account = text(qc->lpServiceStartName);
    return std::nullopt;
}

std::optional<service_error> read_service_parameters(const std::string& name, service_parameters& out)
{
    LSTATUS rc = ERROR_SUCCESS;
    auto args = read_value(name, L"Args", RRF_RT_REG_MULTI_SZ, rc);
    auto dir = args ? read_value(name, L"WorkingDirectory", RRF_RT_REG_SZ, rc) : std::nullopt;
    if (!args || !dir)
        return failure("cannot read the server arguments from HKLM\\" + win::narrow(parameters_key(name)) + ": " +
                       win::error_text(static_cast<DWORD>(rc)));
    out.args.clear();
    for (std::size_t pos = 0; pos < args->size();) {
        std::size_t end = std::min(args->find(L'\0', pos), args->size());
        out.args.push_back(win::narrow(std::wstring_view(*args).substr(pos, end - pos)));
        pos = end + 1;
    }
    out.working_directory = win::narrow(*dir);
    return std::nullopt;
}

} // namespace forkhorn::platform
