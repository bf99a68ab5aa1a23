#include "win.hpp"

#include <mutex>

#include <sddl.h>

namespace forkhorn::platform::win {

std::wstring widen(std::string_view text)
{
    if (text.empty()) return {};
    int n = MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0);
    std::wstring out(static_cast<std::size_t>(n), L'\0');
    MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), out.data(), n);
    return out;
}

std::string narrow(std::wstring_view text)
{
    if (text.empty()) return {};
    int n = WideCharToMultiByte(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0, nullptr, nullptr);
    std::string out(static_cast<std::size_t>(n), '\0');
    WideCharToMultiByte(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), out.data(), n, nullptr, nullptr);
    return out;
}

std::string error_text(DWORD code)
{
    char* buf = nullptr;
    DWORD n =
        FormatMessageA(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                       nullptr, code, 0, reinterpret_cast<char*>(&buf), 0, nullptr);
    std::string text = n ? std::string(buf, n) : "error";
    if (buf) LocalFree(buf);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    return text + " (" + std::to_string(code) + ")";
}

SECURITY_ATTRIBUTES* owner_only_security()
{
    static SECURITY_ATTRIBUTES sa{sizeof(SECURITY_ATTRIBUTES), nullptr, FALSE};
    static bool made = ConvertStringSecurityDescriptorToSecurityDescriptorW(
        L"D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;OW)", SDDL_REVISION_1, &sa.lpSecurityDescriptor, nullptr);
    return made ? &sa : nullptr;
}

SECURITY_ATTRIBUTES* private_directory_security()
{
    static SECURITY_ATTRIBUTES sa{sizeof(SECURITY_ATTRIBUTES), nullptr, FALSE};
    static bool made = ConvertStringSecurityDescriptorToSecurityDescriptorW(private_directory_sddl, SDDL_REVISION_1,
                                                                            &sa.lpSecurityDescriptor, nullptr);
    return made ? &sa : nullptr;
}

void start_winsock()
{
    static std::once_flag once;
    std::call_once(once, [] {
        WSADATA data;
        WSAStartup(MAKEWORD(2, 2), &data);
    });
}

std::wstring control_object_name(const std::string& instance, int pid, control_event e)
{
    // Object names allow most characters, but keep them predictable for `ctl` and scripts.
    std::string name = instance.empty() ? "forkhorn" : instance;
    for (char& c : name)
        if (!isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
    return widen("Global\\forkhorn." + name + "." + std::to_string(pid) + "." + std::string(control_event_name(e)));
}

} // namespace forkhorn::platform::win
