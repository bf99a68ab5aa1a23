#include "settings/load.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "settings/checked.hpp"
#include "settings/settings.hpp"
#include "system.hpp"

using namespace forkhorn;

namespace {

struct temp_file {
    std::string path;
    explicit temp_file(std::string_view text)
        : path((std::filesystem::temp_directory_path() /
                ("fh-settings-" + std::to_string(std::random_device{}()) + ".toml"))
                   .string())
    {
        std::ofstream(path) << text;
    }
    ~temp_file() { std::filesystem::remove(path); }
};

load_result load(std::vector<std::string> args, std::string env = {})
{
    return load_settings({args, env, "/nonexistent/forkhorn.toml"});
}

} // namespace

BOOST_AUTO_TEST_SUITE(settings_table)

BOOST_AUTO_TEST_CASE(every_default_is_valid)
{
    for (const auto& def : setting_table()) {
        if (def.default_value.empty() || def.type == setting_type::list) continue;
        settings s;
        BOOST_TEST(!assign_setting(s, def, def.default_value).has_value(), def.name);
    }
    auto s = default_settings();
    BOOST_TEST(s.secure_scheme_headers ==
               (std::vector<std::string>{"X-FORWARDED-PROTOCOL=ssl", "X-FORWARDED-PROTO=https", "X-FORWARDED-SSL=on"}));
    BOOST_TEST(s.forwarded_allow_ips == "127.0.0.1,::1");
}

BOOST_AUTO_TEST_CASE(defaults_match_gunicorn)
{
    auto s = default_settings();
    BOOST_TEST(s.bind == std::vector<std::string>{"127.0.0.1:8000"});
    BOOST_TEST(s.workers == 1);
    BOOST_TEST(s.worker_class == "sync");
    BOOST_TEST(s.timeout == 30);
    BOOST_TEST(s.graceful_timeout == 30);
    BOOST_TEST(s.keepalive == 2);
    BOOST_TEST(s.limit_request_line == 4094);
    BOOST_TEST(s.limit_request_fields == 100);
    BOOST_TEST(s.limit_request_field_size == 8190);
    BOOST_TEST(s.backlog == 2048);
    BOOST_TEST(s.errorlog == "-");
    BOOST_TEST(s.loglevel == "info");
}

BOOST_AUTO_TEST_CASE(names_and_flags_are_unique)
{
    std::set<std::string_view> names, flags;
    for (const auto& def : setting_table()) {
        BOOST_TEST(names.insert(def.name).second, def.name);
        if (!def.long_flag.empty()) BOOST_TEST(flags.insert(def.long_flag).second, def.long_flag);
        if (!def.short_flag.empty()) BOOST_TEST(flags.insert(def.short_flag).second, def.short_flag);
    }
}

BOOST_AUTO_TEST_CASE(docs_settings_md_is_generated_from_the_table)
{
    std::ifstream in(std::string(FORKHORN_SOURCE_DIR) + "/docs/settings.md");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    BOOST_TEST(text == settings_markdown(),
               "docs/settings.md is stale: regenerate with `forkhorn --print-settings-doc > docs/settings.md`");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(settings_load)

BOOST_AUTO_TEST_CASE(command_line_flags_and_positional_app)
{
    auto r = load({"./libx.so:app", "-w", "3", "-b", "127.0.0.1:1", "--bind", "unix:/tmp/s", "-k", "sync",
                   "--limit-request-field_size", "100"});
    BOOST_REQUIRE(r.error.empty());
    BOOST_TEST(r.config.app == "./libx.so:app");
    BOOST_TEST(r.config.workers == 3);
    BOOST_TEST(r.config.bind == (std::vector<std::string>{"127.0.0.1:1", "unix:/tmp/s"}));
    BOOST_TEST(r.config.limit_request_field_size == 100);
}

BOOST_AUTO_TEST_CASE(precedence_cli_over_env_over_file_over_default)
{
    temp_file f("workers = 2\ntimeout = 11\ngraceful_timeout = 12\nbind = [\"127.0.0.1:7\"]\n");
    auto r = load({"app.so", "-c", f.path, "-w", "4"}, "-w 3 --timeout 13");
    BOOST_REQUIRE_MESSAGE(r.error.empty(), r.error);
    BOOST_TEST(r.config.workers == 4);           // command line
    BOOST_TEST(r.config.timeout == 13);          // FORKHORN_CMD_ARGS
    BOOST_TEST(r.config.graceful_timeout == 12); // config file
    BOOST_TEST(r.config.keepalive == 2);         // default
    BOOST_TEST(r.config.bind == std::vector<std::string>{"127.0.0.1:7"});
    BOOST_TEST(r.config.config == f.path);
}

BOOST_AUTO_TEST_CASE(a_list_from_the_command_line_replaces_the_files)
{
    temp_file f("bind = [\"127.0.0.1:7\", \"127.0.0.1:8\"]\n");
    auto r = load({"app.so", "-c", f.path, "-b", "127.0.0.1:9"});
    BOOST_TEST(r.config.bind == std::vector<std::string>{"127.0.0.1:9"});
}

BOOST_AUTO_TEST_CASE(config_file_scalar_bind_and_app)
{
    temp_file f("app = \"./lib.so:app\"\nbind = \"127.0.0.1:5\"\npreload = 1\n");
    auto r = load({"-c", f.path});
    BOOST_TEST(r.error.find("unknown setting 'preload'") != std::string::npos, r.error);
    temp_file g("app = \"./lib.so:app\"\nbind = \"127.0.0.1:5\"\n");
    r = load({"-c", g.path});
    BOOST_TEST(r.error.empty());
    BOOST_TEST(r.config.app == "./lib.so:app");
    BOOST_TEST(r.config.bind == std::vector<std::string>{"127.0.0.1:5"});
}

BOOST_AUTO_TEST_CASE(errors_name_the_setting)
{
    BOOST_TEST(load({"a.so", "-w", "x"}).error == "command line: workers: 'x' is not an integer");
    BOOST_TEST(load({"a.so", "-w", "0"}).error == "command line: workers: '0' is out of range (1..4096)");
    BOOST_TEST(load({"a.so", "--log-level", "loud"}).error ==
               "command line: loglevel: 'loud' is not one of: debug,info,warning,error,critical");
    BOOST_TEST(load({"a.so", "-w", "2x"}).error.find("not an integer") != std::string::npos);
    BOOST_TEST(load({"a.so"}, "--timeout -5").error.starts_with("FORKHORN_CMD_ARGS: "));
    BOOST_TEST(load({"--nope"}).error.find("nope") != std::string::npos);
    BOOST_TEST(load({}).error == "no application given (usage: forkhorn [OPTIONS] LIBRARY:SYMBOL)");
    BOOST_TEST(load({"a.so", "b.so"}).error == "unexpected argument 'b.so'");
}

BOOST_AUTO_TEST_CASE(config_file_errors)
{
    temp_file syntax("workers = \n");
    BOOST_TEST(load({"a.so", "-c", syntax.path}).error.starts_with("config file '" + syntax.path + "': line 1:"));
    temp_file type("workers = \"many\"\n");
    BOOST_TEST(load({"a.so", "-c", type.path}).error == "config file: workers: 'many' is not an integer");
    temp_file unknown("wokers = 2\n");
    BOOST_TEST(load({"a.so", "-c", unknown.path}).error ==
               "config file '" + unknown.path + "': unknown setting 'wokers'");
    BOOST_TEST(load({"a.so", "-c", "/nonexistent.toml"}).error == "config file '/nonexistent.toml' does not exist");
    auto dir = std::filesystem::temp_directory_path().string();
    BOOST_TEST(load({"a.so", "-c", dir}).error == "config file '" + dir + "' is a directory");
}

BOOST_AUTO_TEST_CASE(help_and_print_config_actions)
{
    BOOST_TEST((load({"--help"}).action == cli_action::help));
    auto r = load({"a.so", "--print-config", "-w", "5"});
    BOOST_TEST((r.action == cli_action::print_config));
    BOOST_TEST(settings_toml(r.config).find("workers = 5\n") != std::string::npos);
    BOOST_TEST(settings_toml(r.config).find("bind = [\"127.0.0.1:8000\"]\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(print_config_output_reads_back_as_a_config_file)
{
    auto first = load({"a.so", "-w", "5", "-b", "127.0.0.1:1", "--access-logformat", "%(h)s \"q\""});
    temp_file f(settings_toml(first.config));
    auto second = load({"-c", f.path});
    BOOST_REQUIRE_MESSAGE(second.error.empty(), second.error);
    second.config.config = first.config.config; // the one line that names where it was read
    BOOST_TEST(settings_toml(second.config) == settings_toml(first.config));
}

// A config-file-only list setting once made cxxopts hand back the wrong value type.
BOOST_AUTO_TEST_CASE(config_only_settings_have_no_flag)
{
    auto r = load({"a.so", "--access-logformat", "%(p)s"});
    BOOST_TEST(r.error.empty(), r.error);
    BOOST_TEST(r.config.access_log_format == "%(p)s");
    BOOST_TEST(load({"a.so", "--secure-scheme-headers", "X=1"}).error.find("secure-scheme-headers") !=
               std::string::npos);
    temp_file f("secure_scheme_headers = [\"X-SCHEME=https\"]\n");
    BOOST_TEST(load({"a.so", "-c", f.path}).config.secure_scheme_headers == std::vector<std::string>{"X-SCHEME=https"});
}

BOOST_AUTO_TEST_CASE(split_command_args_handles_quotes)
{
    BOOST_TEST(split_command_args("  -w 3  --name 'a b' \"c d\"") ==
               (std::vector<std::string>{"-w", "3", "--name", "a b", "c d"}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(effective_settings)

BOOST_AUTO_TEST_CASE(a_worker_rebuilds_exactly_the_arbiters_settings)
{
    auto first = load(
        {"a.so", "-w", "5", "-b", "127.0.0.1:1", "-b", "127.0.0.1:2", "--access-logformat", "%(h)s \"q\"", "-n", "x"});
    BOOST_REQUIRE(first.error.empty());
    settings rebuilt;
    BOOST_REQUIRE(!settings_from_toml(settings_toml(first.config), rebuilt).has_value());
    BOOST_TEST(settings_toml(rebuilt) == settings_toml(first.config));
    BOOST_TEST(settings_from_toml("workers = \n", rebuilt).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(checked_settings)

server_config check_ok(std::vector<std::string> args)
{
    auto loaded = load(std::move(args));
    BOOST_REQUIRE_MESSAGE(loaded.error.empty(), loaded.error);
    server_config config;
    auto problems = check_settings(loaded.config, std::filesystem::current_path(), config);
    BOOST_TEST_REQUIRE(problems.empty(), (problems.empty() ? std::string() : problems.front()));
    return config;
}

BOOST_AUTO_TEST_CASE(every_problem_is_reported_not_just_the_first)
{
    auto loaded = load({"a.so", "--forwarded-allow-ips", "10.0.0.1/8", "--proxy-allow-from", "not-an-ip", "--chdir",
                        "/nonexistent/dir"});
    BOOST_REQUIRE_MESSAGE(loaded.error.empty(), loaded.error);
    loaded.config.secure_scheme_headers.push_back("=https");
    server_config config;
    auto problems = check_settings(loaded.config, std::filesystem::current_path(), config);
    BOOST_TEST_REQUIRE(problems.size() == 4u);
    auto has = [&](std::string_view prefix) {
        return std::any_of(problems.begin(), problems.end(), [&](const auto& p) { return p.starts_with(prefix); });
    };
    BOOST_TEST(has("forwarded_allow_ips: "));
    BOOST_TEST(has("proxy_allow_ips: "));
    BOOST_TEST(has("secure_scheme_headers: '=https'"));
    BOOST_TEST(has("chdir: '/nonexistent/dir'"));
}

BOOST_AUTO_TEST_CASE(lists_are_parsed_once_into_typed_values)
{
    auto config =
        check_ok({"a.so", "-k", "uv", "--forwarded-allow-ips", "10.0.0.0/8", "--proxy-protocol", "v2", "-t", "7"});
    BOOST_TEST((config.worker == worker_type::uv));
    BOOST_TEST(config.forwarded_allowed.contains("10.1.2.3"));
    BOOST_TEST(!config.forwarded_allowed.contains("11.1.2.3"));
    BOOST_TEST((config.proxy_protocol == http::proxy_mode::v2));
    BOOST_TEST(config.scheme_rules.size() == 3u); // Gunicorn's three default headers
    BOOST_TEST(config.values.worker_class == "uv");
}

BOOST_AUTO_TEST_CASE(timeout_is_named_for_each_of_its_jobs)
{
    auto config = check_ok({"a.so", "-t", "1"});
    BOOST_TEST(config.timeouts.silent_worker.count() == 1);
    BOOST_TEST(config.timeouts.client_io.count() == 1);
    BOOST_TEST(config.timeouts.beat_period.count() == 500); // Gunicorn's timeout/2
    auto off = check_ok({"a.so", "-t", "0"});
    BOOST_TEST(off.timeouts.silent_worker.count() == 0);
    BOOST_TEST(off.timeouts.beat_period.count() == 1000); // still beats (at most a second apart)
}

BOOST_AUTO_TEST_CASE(a_relative_chdir_is_checked_from_where_the_server_started)
{
    auto loaded = load({"a.so", "--chdir", "unit"});
    server_config config;
    auto here = std::filesystem::path(FORKHORN_SOURCE_DIR) / "tests";
    BOOST_TEST(check_settings(loaded.config, here, config).empty());
    BOOST_TEST(check_settings(loaded.config, here / "unit", config).size() == 1u);
}

BOOST_AUTO_TEST_CASE(threads_with_the_sync_worker_run_gthread_and_say_so)
{
    auto config = check_ok({"a.so", "--threads", "4"});
    BOOST_TEST((config.worker == worker_type::gthread));
    BOOST_TEST(config.values.worker_class == "gthread");
    BOOST_TEST_REQUIRE(config.notes.size() == 1u);
    BOOST_TEST(config.notes[0] == "--threads 4 with the sync worker: using gthread");
    auto plain = check_ok({"a.so", "--threads", "1"});
    BOOST_TEST((plain.worker == worker_type::sync));
    BOOST_TEST(plain.notes.empty());
}

BOOST_AUTO_TEST_CASE(workers_above_max_workers_are_refused)
{
    auto loaded = load({"a.so", "-w", "9", "--max-workers", "8"});
    server_config config;
    auto problems = check_settings(loaded.config, std::filesystem::current_path(), config);
    BOOST_TEST_REQUIRE(problems.size() == 1u);
    BOOST_TEST(problems[0] == "workers: 9 is above max_workers (8); raise --max-workers");
    BOOST_TEST(check_ok({"a.so", "-w", "8", "--max-workers", "8"}).values.max_workers == 8);
}

BOOST_AUTO_TEST_CASE(bind_addresses_are_checked_before_binding)
{
    auto loaded = load({"a.so", "-b", "127.0.0.1:65536", "-b", "[::1]:x", "-b", "fd://3a", "-b", "127.0.0.1:0"});
    server_config config;
    auto problems = check_settings(loaded.config, std::filesystem::current_path(), config);
    auto has = [&](std::string_view text) {
        return std::any_of(problems.begin(), problems.end(), [&](const auto& p) { return p.starts_with(text); });
    };
    // Where fd:// binds do not exist, that is a problem too.
    BOOST_TEST(problems.size() == (platform::supports(platform::feature::fd_binds) ? 3u : 4u));
    BOOST_TEST(has("bind: '127.0.0.1:65536' is not HOST:PORT"));
    BOOST_TEST(has("bind: '[::1]:x' is not HOST:PORT"));
    BOOST_TEST(has("bind: 'fd://3a' is not fd://N"));
    BOOST_TEST(check_ok({"a.so", "-b", "127.0.0.1:65535", "-b", "[::1]:80", "-b", "localhost"}).values.bind.size() ==
               3u);
}

BOOST_AUTO_TEST_SUITE_END()
