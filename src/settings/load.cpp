#include "settings/load.hpp"

#include <filesystem>

#include <cxxopts.hpp>
#include <fmt/format.h>
#include <toml++/toml.h>

#include "version.hpp"

namespace forkhorn {
namespace {

struct parsed_args {
    setting_layer layer;
    cli_action action = cli_action::serve;
};

std::string option_spec(const setting_def& def)
{
    return def.short_flag.empty() ? std::string(def.long_flag) : fmt::format("{},{}", def.short_flag, def.long_flag);
}

cxxopts::Options build_options()
{
    cxxopts::Options opts("forkhorn", "forkhorn: a pre-fork HTTP server for native applications.");
    opts.custom_help("[OPTIONS]").positional_help("LIBRARY:SYMBOL").set_width(100);
    auto add = opts.add_options();
    add("h,help", "Show this help and exit");
    add("v,version", "Print the version and exit");
    add("check-config", "Check the configuration and exit (status 0 if valid, 2 if not)");
    add("print-config", "Print the effective configuration as TOML and exit");
    add("print-settings-doc", "Print docs/settings.md, generated from the settings table");
    add("app", "The application", cxxopts::value<std::string>());
    for (const auto& def : setting_table()) {
        if (def.long_flag.empty()) continue;
        std::string help(def.doc);
        if (!def.default_value.empty()) help += fmt::format(" [default: {}]", def.default_value);
        if (def.type == setting_type::list)
            add(option_spec(def), help, cxxopts::value<std::vector<std::string>>(), std::string(def.metavar));
        else if (def.type == setting_type::boolean)
            add(option_spec(def), help);
        else
            add(option_spec(def), help, cxxopts::value<std::string>(), std::string(def.metavar));
    }
    opts.parse_positional({"app"});
    return opts;
}

cli_action requested_action(const cxxopts::ParseResult& r)
{
    if (r.count("help")) return cli_action::help;
    if (r.count("version")) return cli_action::version;
    if (r.count("print-settings-doc")) return cli_action::print_settings_doc;
    if (r.count("print-config")) return cli_action::print_config;
    if (r.count("check-config")) return cli_action::check_config;
    return cli_action::serve;
}

void collect(const cxxopts::ParseResult& r, const setting_def& def, setting_layer& layer)
{
    std::string key(def.long_flag);
    if (key.empty() || !r.count(key)) return; // config-file-only settings have no flag
    if (def.type == setting_type::list)
        layer[std::string(def.name)] = r[key].as<std::vector<std::string>>();
    else if (def.type == setting_type::boolean)
        layer[std::string(def.name)] = {"true"};
    else
        layer[std::string(def.name)] = {r[key].as<std::string>()};
}

std::optional<std::string> parse_args(cxxopts::Options& opts, std::span<const std::string> args, parsed_args& out)
{
    std::vector<const char*> argv{"forkhorn"};
    for (const auto& a : args) argv.push_back(a.c_str());
    try {
        auto r = opts.parse(static_cast<int>(argv.size()), argv.data());
        if (!r.unmatched().empty()) return fmt::format("unexpected argument '{}'", r.unmatched().front());
        out.action = requested_action(r);
        for (const auto& def : setting_table()) collect(r, def, out.layer);
        if (r.count("app")) out.layer["app"] = {r["app"].as<std::string>()};
    } catch (const cxxopts::exceptions::exception& e) {
        return std::string(e.what());
    }
    return std::nullopt;
}

std::optional<std::string> toml_values(const setting_def& def, const toml::node& node, std::vector<std::string>& out)
{
    auto scalar = [&](const toml::node& n) -> std::optional<std::string> {
        if (auto v = n.value<std::string>(); v && n.is_string()) return *v;
        if (n.is_integer()) return std::to_string(*n.value<std::int64_t>());
        if (n.is_boolean()) return *n.value<bool>() ? "true" : "false";
        return std::nullopt;
    };
    if (const auto* array = node.as_array(); array && def.type == setting_type::list) {
        for (const auto& item : *array) {
            auto v = scalar(item);
            if (!v) return fmt::format("{}: list items must be strings", def.name);
            out.push_back(*v);
        }
        return std::nullopt;
    }
    auto v = scalar(node);
    if (!v) return fmt::format("{}: unsupported value type", def.name);
    out.push_back(*v);
    return std::nullopt;
}

std::optional<std::string> apply_layer(settings& s, const setting_layer& layer, std::string_view source)
{
    for (const auto& [name, values] : layer) {
        const auto* def = find_setting(name);
        if (!def) return fmt::format("{}: unknown setting '{}'", source, name);
        if (def->type == setting_type::list) std::visit([&](auto f) { s.*f = {}; }, def->field);
        for (const auto& raw : values)
            if (auto err = assign_setting(s, *def, raw)) return fmt::format("{}: {}", source, *err);
    }
    return std::nullopt;
}

std::string config_path(const parsed_args& cli, const parsed_args& env, const load_inputs& in)
{
    for (const auto* layer : {&cli.layer, &env.layer})
        if (auto it = layer->find("config"); it != layer->end()) return it->second.back();
    std::error_code ec;
    return std::filesystem::is_regular_file(in.default_config_file, ec) ? in.default_config_file : std::string();
}

} // namespace

std::vector<std::string> split_command_args(std::string_view text)
{
    std::vector<std::string> out;
    std::string current;
    bool in_word = false;
    char quote = 0;
    for (char c : text) {
        if (quote) {
            if (c == quote)
                quote = 0;
            else
                current += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word) out.push_back(std::move(current));
            current.clear();
            in_word = false;
        } else {
            current += c;
            in_word = true;
        }
    }
    if (in_word) out.push_back(std::move(current));
    return out;
}

namespace {

std::optional<std::string> read_table(const toml::table& table, const std::string& path, setting_layer& out)
{
    for (const auto& [key, node] : table) {
        const auto* def = find_setting(key.str());
        if (!def) return fmt::format("config file '{}': unknown setting '{}'", path, key.str());
        std::vector<std::string> values;
        if (auto err = toml_values(*def, node, values)) return fmt::format("config file '{}': {}", path, *err);
        out[std::string(def->name)] = std::move(values);
    }
    return std::nullopt;
}

} // namespace

std::optional<std::string> read_config_file(const std::string& path, setting_layer& out)
{
    std::error_code ec;
    auto status = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(status)) return fmt::format("config file '{}' does not exist", path);
    if (std::filesystem::is_directory(status)) return fmt::format("config file '{}' is a directory", path);
    try {
        return read_table(toml::parse_file(path), path, out);
    } catch (const toml::parse_error& e) {
        return fmt::format("config file '{}': line {}: {}", path, e.source().begin.line, e.description());
    }
}

std::optional<std::string> settings_from_toml(const std::string& text, settings& out)
{
    setting_layer layer;
    try {
        if (auto err = read_table(toml::parse(text), "<effective settings>", layer)) return err;
    } catch (const toml::parse_error& e) {
        return fmt::format("effective settings: line {}: {}", e.source().begin.line, e.description());
    }
    out = default_settings();
    return apply_layer(out, layer, "effective settings");
}

load_result load_settings(const load_inputs& in)
{
    load_result result;
    auto opts = build_options();
    result.help = opts.help();
    parsed_args cli, env;
    if (auto err = parse_args(opts, in.args, cli)) return result.error = *err, result;
    auto env_args = split_command_args(in.env_cmd_args);
    if (auto err = parse_args(opts, env_args, env)) return result.error = "FORKHORN_CMD_ARGS: " + *err, result;
    result.action = cli.action;

    setting_layer file;
    auto path = config_path(cli, env, in);
    if (!path.empty())
        if (auto err = read_config_file(path, file)) return result.error = *err, result;

    result.config = default_settings();
    for (auto [layer, source] :
         {std::pair{&file, "config file"}, {&env.layer, "FORKHORN_CMD_ARGS"}, {&cli.layer, "command line"}})
        if (auto err = apply_layer(result.config, *layer, source)) return result.error = *err, result;
    result.config.config = path;

    bool needs_app = result.action == cli_action::serve || result.action == cli_action::check_config;
    if (needs_app && result.config.app.empty())
        result.error = "no application given (usage: forkhorn [OPTIONS] LIBRARY:SYMBOL)";
    return result;
}

} // namespace forkhorn
