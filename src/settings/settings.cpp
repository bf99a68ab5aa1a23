#include "settings/settings.hpp"

#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

namespace forkhorn {
namespace {

std::optional<std::string> bad_value(const setting_def& def, std::string_view raw, std::string_view why)
{
    return fmt::format("{}: '{}' {}", def.name, raw, why);
}

// Decimal, 0x.. and 0o.. everywhere; a leading 0 means octal for file modes ("022"), as in
// Gunicorn's umask.
std::optional<int> parse_int(std::string_view raw, bool mode)
{
    int base = 10;
    if (raw.size() > 2 && raw[0] == '0' && (raw[1] == 'x' || raw[1] == 'X'))
        base = 16, raw.remove_prefix(2);
    else if (raw.size() > 2 && raw[0] == '0' && (raw[1] == 'o' || raw[1] == 'O'))
        base = 8, raw.remove_prefix(2);
    else if (mode && raw.size() > 1 && raw[0] == '0')
        base = 8;
    int value = 0;
    auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), value, base);
    if (ec != std::errc{} || end != raw.data() + raw.size() || raw.empty()) return std::nullopt;
    return value;
}

std::optional<bool> parse_bool(std::string_view raw)
{
    if (raw == "true" || raw == "1" || raw == "yes" || raw == "on") return true;
    if (raw == "false" || raw == "0" || raw == "no" || raw == "off") return false;
    return std::nullopt;
}

bool in_choices(std::string_view choices, std::string_view raw)
{
    while (!choices.empty()) {
        auto comma = choices.find(',');
        if (choices.substr(0, comma) == raw) return true;
        if (comma == std::string_view::npos) break;
        choices.remove_prefix(comma + 1);
    }
    return false;
}

std::optional<std::string> assign_int(int& target, const setting_def& def, std::string_view raw)
{
    auto value = parse_int(raw, def.metavar == "MODE");
    if (!value) return bad_value(def, raw, "is not an integer");
    if (*value < def.min_value || *value > def.max_value)
        return bad_value(def, raw, fmt::format("is out of range ({}..{})", def.min_value, def.max_value));
    target = *value;
    return std::nullopt;
}

std::optional<std::string> assign_string(std::string& target, const setting_def& def, std::string_view raw)
{
    if (!def.choices.empty() && !in_choices(def.choices, raw))
        return bad_value(def, raw, fmt::format("is not one of: {}", def.choices));
    target = raw;
    return std::nullopt;
}

std::string toml_quote(std::string_view text)
{
    // A basic string: control characters escaped (a PEM's newlines, handed to a worker).
    std::string out = "\"";
    for (char c : text) {
        if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            out += fmt::format("\\u{:04X}", static_cast<unsigned char>(c));
        else if (c == '"' || c == '\\')
            out += '\\', out += c;
        else
            out += c;
    }
    return out + '"';
}

} // namespace

std::optional<std::string> assign_setting(settings& out, const setting_def& def, std::string_view raw)
{
    struct visitor {
        settings& out;
        const setting_def& def;
        std::string_view raw;
        std::optional<std::string> operator()(int settings::*f) const { return assign_int(out.*f, def, raw); }
        std::optional<std::string> operator()(std::string settings::*f) const
        {
            return assign_string(out.*f, def, raw);
        }
        std::optional<std::string> operator()(bool settings::*f) const
        {
            auto value = parse_bool(raw);
            if (!value) return bad_value(def, raw, "is not a boolean (true or false)");
            out.*f = *value;
            return std::nullopt;
        }
        std::optional<std::string> operator()(std::vector<std::string> settings::*f) const
        {
            if (raw.empty()) return bad_value(def, raw, "must not be empty");
            (out.*f).emplace_back(raw);
            return std::nullopt;
        }
    };
    return std::visit(visitor{out, def, raw}, def.field);
}

settings default_settings()
{
    settings s;
    for (const auto& def : setting_table()) {
        const char* env = def.env.empty() ? nullptr : std::getenv(std::string(def.env).c_str());
        bool from_env = env && *env && !assign_setting(s, def, env);
        // The table's defaults are valid by construction; the unit tests assert it.
        if (from_env || def.default_value.empty()) continue;
        if (def.type != setting_type::list) {
            (void)assign_setting(s, def, def.default_value);
            continue;
        }
        // A list's default is comma-separated in the table.
        std::string_view rest = def.default_value;
        for (auto comma = rest.find(','); !rest.empty(); comma = rest.find(',')) {
            (void)assign_setting(s, def, rest.substr(0, comma));
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
    }
    return s;
}

std::string format_setting(const settings& s, const setting_def& def)
{
    struct visitor {
        const settings& s;
        std::string operator()(int settings::*f) const { return std::to_string(s.*f); }
        std::string operator()(std::string settings::*f) const { return toml_quote(s.*f); }
        std::string operator()(bool settings::*f) const { return s.*f ? "true" : "false"; }
        std::string operator()(std::vector<std::string> settings::*f) const
        {
            std::string out = "[";
            for (const auto& item : s.*f) out += (out.size() > 1 ? ", " : "") + toml_quote(item);
            return out + "]";
        }
    };
    return std::visit(visitor{s}, def.field);
}

std::string settings_toml(const settings& s)
{
    std::string out;
    for (const auto& def : setting_table()) out += fmt::format("{} = {}\n", def.name, format_setting(s, def));
    return out;
}

std::string settings_markdown()
{
    std::string out =
        "# Settings\n\n"
        "Generated from `src/settings/settings_table.cpp` by `forkhorn --print-settings-doc`; do not edit.\n\n"
        "Precedence: command line > `FORKHORN_CMD_ARGS` > config file (`-c`, TOML, same keys) > "
        "environment default > built-in default.\n";
    std::string_view section;
    for (const auto& def : setting_table()) {
        if (def.section != section) {
            section = def.section;
            out += fmt::format("\n## {}\n\n| setting | flag | default | description |\n| --- | --- | --- | --- |\n",
                               section);
        }
        std::string flag = def.short_flag.empty() ? "" : fmt::format("`-{}`, ", def.short_flag);
        flag += def.long_flag.empty() ? "(config file only)" : fmt::format("`--{} {}`", def.long_flag, def.metavar);
        std::string doc(def.doc);
        if (!def.choices.empty()) doc += fmt::format(" One of: {}.", def.choices);
        if (!def.env.empty()) doc += fmt::format(" Default from `${}` when set.", def.env);
        std::string dflt = def.default_value.empty() ? "(none)" : fmt::format("`{}`", def.default_value);
        for (size_t pos = 0; (pos = dflt.find('|', pos)) != std::string::npos; pos += 2) dflt.insert(pos, "\\");
        out += fmt::format("| `{}` | {} | {} | {} |\n", def.name, flag, dflt, doc);
    }
    return out;
}

} // namespace forkhorn
