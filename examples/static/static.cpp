// Serves the files under a directory with the server's file path (sendfile(2) on Linux):
//   FORKHORN_STATIC_ROOT=/srv/www forkhorn libstatic.so:app
// A path with ".." is refused (403); a missing file is a 404.
#include <forkhorn/app.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

std::string_view content_type(std::string_view path)
{
    auto ends = [&](std::string_view ext) { return path.ends_with(ext); };
    if (ends(".html")) return "text/html; charset=utf-8";
    if (ends(".css")) return "text/css";
    if (ends(".js")) return "text/javascript";
    if (ends(".json")) return "application/json";
    if (ends(".txt")) return "text/plain; charset=utf-8";
    if (ends(".png")) return "image/png";
    return "application/octet-stream";
}

} // namespace

FORKHORN_APP(app, [](forkhorn::request& req, forkhorn::response& res) {
    const char* root = std::getenv("FORKHORN_STATIC_ROOT");
    std::string path(req.path());
    if (path.find("..") != std::string::npos) {
        res.status(403);
        return (void)res.write("forbidden\n");
    }
    std::filesystem::path file = std::filesystem::path(root ? root : ".") / path.substr(1);
    std::error_code ec;
    if (path == "/" || !std::filesystem::is_regular_file(file, ec)) {
        res.status(404);
        return (void)res.write("not found\n");
    }
    res.header("Content-Type", content_type(path));
    res.send_file(file.string());
})
