// IMF-fixdate formatting (RFC 9110 §5.6.7) from epoch seconds, with no platform time call
// other than std::chrono::system_clock, whose epoch is the Unix epoch since C++20.
#include <algorithm>
#include <chrono>

#include "http/response.hpp"

namespace forkhorn::http {

namespace {

constexpr std::string_view day_names = "SunMonTueWedThuFriSat";
constexpr std::string_view month_names = "JanFebMarAprMayJunJulAugSepOctNovDec";
constexpr std::int64_t seconds_per_day = 86400;
constexpr std::int64_t last_second_of_9999 = 253402300799;

struct civil_date {
    std::int64_t year;
    int month; // 1..12
    int day;   // 1..31
};

// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar): shift the epoch to
// 0000-03-01 so that leap days fall at the end of each 400-year era.
civil_date civil_from_days(std::int64_t days) noexcept
{
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const std::int64_t doe = days - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const auto day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const auto month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

char* put_digits(char* p, std::int64_t value, int width) noexcept
{
    for (int i = width - 1; i >= 0; --i) {
        p[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    return p + width;
}

char* put_text(char* p, std::string_view s) noexcept { return std::copy(s.begin(), s.end(), p); }

} // namespace

void format_imf_fixdate(std::int64_t unix_seconds, std::span<char, imf_fixdate_size> out) noexcept
{
    const std::int64_t t = std::clamp<std::int64_t>(unix_seconds, 0, last_second_of_9999);
    const std::int64_t days = t / seconds_per_day;
    const std::int64_t secs = t % seconds_per_day;
    const civil_date date = civil_from_days(days);
    const auto weekday = static_cast<std::size_t>((days + 4) % 7); // 1970-01-01 was a Thursday
    char* p = put_text(out.data(), day_names.substr(weekday * 3, 3));
    p = put_text(p, ", ");
    p = put_digits(p, date.day, 2);
    *p++ = ' ';
    p = put_text(p, month_names.substr(static_cast<std::size_t>(date.month - 1) * 3, 3));
    *p++ = ' ';
    p = put_digits(p, date.year, 4);
    *p++ = ' ';
    p = put_digits(p, secs / 3600, 2);
    *p++ = ':';
    p = put_digits(p, secs / 60 % 60, 2);
    *p++ = ':';
    p = put_digits(p, secs % 60, 2);
    put_text(p, " GMT");
}

std::string_view date_cache::now()
{
    using namespace std::chrono;
    // One cache per thread: gthread's pool threads answer at the same time.
    thread_local std::int64_t cached_second = -1;
    thread_local char text[imf_fixdate_size];
    const std::int64_t second = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
    if (second != cached_second) {
        format_imf_fixdate(second, std::span<char, imf_fixdate_size>(text, imf_fixdate_size));
        cached_second = second;
    }
    return {text, imf_fixdate_size};
}

} // namespace forkhorn::http
