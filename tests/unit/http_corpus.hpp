// Test vectors converted from the conformance corpus (../shared/conformance/corpus, itself
// converted from Gunicorn's tests/requests): the exact request bytes and what forkhorn's parser
// must make of them. Generated once by hand; edit the expectations here, with a reason.
//
// `error`: 0 = every request valid; 400/414/431/501/505... = parse_head must fail with it
// after the listed requests; -1 = the body decoder must fail (bad chunked framing or
// trailer); -2 = the input ends inside the last listed body (valid_099: its Content-Length
// is larger than the body the corpus sends). HTTP/1.1 requests without Host end the list
// with 400 (RFC 9112 §3.2, "--host-policy strict"). Two statuses differ from Gunicorn's on
// purpose: invalid_006 (414 for a long request line) and invalid_version_02 (505).
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace forkhorn::http::test {

using namespace std::string_view_literals;

struct corpus_request {
    std::string_view method, target, path, query, fragment;
    int version_minor;
    std::vector<std::pair<std::string_view, std::string_view>> headers; // names upper-cased
    std::string_view body;
};

struct corpus_case {
    std::string_view name;
    std::string_view raw;
    int error;
    std::vector<corpus_request> requests;
};

inline const std::vector<corpus_case>& corpus_cases()
{
    static const std::vector<corpus_case> cases{
        {"invalid_002"sv,
         "GET HTTP/1.1\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_003"sv,
         "GET\n"
         "/\n"
         "HTTP/1.1\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_003b"sv,
         "bla:rgh /foo HTTP/1.1\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_003c"sv,
         "-bl /foo HTTP/1.1\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_004"sv,
         "GET /foo FTP/1.1\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_005"sv,
         "GET /foo HTTP/1.1\r\n"
         "ba\000z: bar\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_006"sv,
         "PUT /q=08aP8931Ltyl9nqyJvjMaRCOgDV3uONtAdHABjoZUG6KAP6h3Vh97O3GJjjovXYgNdrhxc7TriXoAmeehZM"
         "Jx88EyhcPXO0f09Nvd128SZnxZ2r5jFDELkn26reKRysODSLBZLfjU3vxLzLXKWeFOFJKcZYRH9V7hC98DDS4ZsS7w"
         "eUksBuK6m86aLNHHHB0Xbyxv1TiDbOWYIzKxV0eZKyk0CaDLDiR0CRuMOf4rwBeuHoMrumzafrFI5iL72ANQZmOvKd"
         "k1qQeXkRqEG11YU0kF7f1hSlmgiIgg5maWiBsA9sAg36IIXZMWwJF63zpMgAyjTT8l4pQhSBfhY2xbGAWmLGpyd1rl"
         "Bm0O5LCoKpnQuTACm2azi0x6a1Qbry9flQBO4jHge2dXiD1si6Gh5q8fZu8ZQ7LLWii2u4rGB7E4XlhnClrCHg5vJm"
         "jYf2AItYPA0ogsiIdEEQGpzMJPqrp8Icn5kAAimWF1aCYaDjcdSgWI48PnoxlzIHX50EPFcPOSLecjkstD9z66H554"
         "sUXfWn3Mk9lnOUlse6nx0u1YClFK4UFXp98ru9eBBr7pkAsfZ34yPskayGyXPPyzWyBfVd28UuvdEG47SMdyqEpX0r"
         "Fdk67fAYij0PWMK79mDmGAS37O821o18XUbu0GQjsqAGVMN9LDIAliD9QqtlwdEnplKkUyyZ7GAFJCFffgzppU9CjA"
         "2FbPX6ZjTOi4sPoYEyhyeQKVqAe9keYeDpU2qDwq83XEDQUKvP0w48GyavSmdBcrMXjUsu0PfdYpSaKwarrUB3i93H"
         "goQB3ZJIR4lW6iPRTmm28OEKq2MIJGAoTXxCZYM5UacRldlqQOj6JkYz6y7ppWOjJ9yiCUEenuvfcItgmw9HIgGA59"
         "JxO8NDLEZLSONfuIgiV7wjsJnxuTOlU4vkjV7fTuOeU91xez7UKhaTqqEW3XBUSLjhKi3IkZg7ukrGZTWPhijFv2EZ"
         "wEWDAyLlHvZB4X738zGJUlEX1k52EHwrKVKdLfePcaOjAGKsongHBFYxYC8vBBLuKm9RWexKCT14M25pCGloJXZ4Op"
         "BRfDQA2kobLUcEXEpzqRBPGN2JdNSBOFlUtUxWKnnPBM6r9S356l3k1o9zTIPeoIitWRjASs4A0iwYc8p5vv5Kt8Kt"
         "smW7Xv8dlU8HbZHsy3LI7O9BpUH8cJubqdEhooKABkx71pdcsZGhZb6epyTiPyvOhdJ7tNtFy3KQOameqTgGyd53Z4"
         "2eZ0AjaOEvnzermi2E0xo3MMHFhB74TFtNAI3ppxxyqknc1mzUqZ49Wi8YPBg9ids6IgZvddBQYvwEozkmyGAkatQt"
         "t9TD4LjU3TyyUlhNG21q7CzEEl8NNsVrV6QyHsfw7E5w7XcoT7OQkBYoZwHIAjfekehnpc2llRtRY5m43fPVasmsVa"
         "zOR36DRSLZJPHAqUDO0LInu9mgP57Mnz9CgylEmdE2aaYs426rnTFR3G3CfjLofHfjaLOkAegr4W3jx6MNMMOMZw2u"
         "46YTCnlfbBK6ZA1UYeAH1DIQJykcSQESinC8HpYIJt9A8g7UT0awzRP1F9nHa3wDnaAHndQYKMrjzlWo8ejQ0XHWgH"
         "hqnWHgW4h9sOnJckH00CYK1fHUKASJ3D8kOKax6uplexfz6BCvAoL9zm5TjeB1yxrpLp9NjjTWSKG2HOZhPkGpdEqU"
         "4mjnN2AkUVACPGos5YLBmTnSrdOEGZJDlAvJOUt800Mu3BYc1MiDIB6LMSSV5RsIUDFOzNletGQoq4G3yHZmx78uEs"
         "e5vUTPFF3KT8LCrssqdIU9H97Npgf6N5j8arQ7ykLzN459jJaUzpGIo6uowPnUSatDf9GAvAmWNvsVTz6bYiAV71C7"
         "QF0C7UolYIQY6DHJEHejgX2YMEovWNLPL50eeC51h4DdPNv5G4ZdNtQTRVybYBZMpetGDiFmXN0JKa1sKHOSZxdrhK"
         "jxDIhrYVyCcRUMQ0sjGGHFuOcRszr6E5igEMtsebHQ3KYiGd5B27LikpUHhk61rgZlulHdMoS6YgQs6SV6UMVNku6s"
         "Cw529xhUciDwRMhsbAjDlahYbrGa3NryxyV5LrXONGGKCchCqv7vDMdAtPrVr8M2vL5MySQAC3g90iugGQcLH3hCf9"
         "f1Kn5X0hM4KZTfwOPJhlfJsMRNhssiDoXaycUvOUS58266yPDlitPIAzO03XClm4EDPXGIwcwiFr7FcDo3tQIMZVy8"
         "7i48Zb80s3zAYRiBIS0vO3RKGx3OGN5zid2B7MfnfLzvpvgZoirHhAqXffnym5abpZNzGuo5GowTRA2Ptk4Ve2JFoH"
         "ACWpD6HiGnRZ9QVOmPICoQrSUQw45Jlk9onKJz5Erhnx0943Uno6tMJ5jbrWBNiIO7i04xzRBgujeiAJvuQkVDX2QL"
         "KRxZ7s6rhdfOaq6R6uL108gEzzlXOLqTTJXgM63rcUWNbE7wsIXcCFSF59LLJ7G5Qea33suxdDX6DcK4a0VMZoxmWP"
         "tCi1dAT9ggJqc2Sh7mkAqizaB16RXZvSydchpdVj6s4qn4ivr0HKHdAstX0XZ0FFU6lOiNmU3vasMg2uaVG8tyuG8N"
         "8VsuXIOQs7xtFxDhilYb8MQ9vES9pWfWPSXFlJAq4XKPY8a0JOIx57EQuWHo3uWgRTIRThvZP9YYzSnjGIHwjS8Jep"
         "pICHofADXZhJ0uDQaQs7MiXEALpGmT3W6w0G3tBdZcuTDkWx1HsT5jd9jQeJpgD2VxdKh8U4Q3vANTAuwBXLJ2P0st"
         "S8Q72JWgNPwKYTY9cPoaGZlUFGgVsq8CdEFH9yW0c27G5s5sfHsyep6t4VxIHHMOX2GmMRyGxDI33am1J7ZmJ1NyXi"
         "wkHxtPH5QBpU2PMu2Guf3xIxlk3snMkMAsGO0vYfqO9tdIgdxMYO3HZTYv99OXaHcNQ5u0pRZZyVrNOIPurkEOdJy0"
         "nowPemIgUuHWh8vQCuDZav1m35AOl6ftSFuChSm5KstEWnC7q8mJ0juJEBkCRmQphP3V1pqiDjz6YA90qEe7MA3nzT"
         "0nHG8A1hWlqcPVPNz4qWNF6Fq1ub4075aXO0H7Krb6rhWGb3ZRPjpb4BKN8jGFQrBUMZprtjAJ67BnfmYgE0mmGLV2"
         "QP10gYS1T06kBRyrtp7he6wsPiBPJ7wxPLHNUN2SGQHBTSKagndM99fuaga5Sw9OT8Fzdo7xUJXfhJ97gUnNDrknal"
         "0B00NMNvajZeQQTJyBsVSwBZtZ45ZCcq1idc7GWC0MITSk58cIVkSPXbrERUaygyY13dPeEVzjVi9aVJwUF6eJu1s8"
         "u3FCJqp2GoWIItwvZO69asX75fekFkmFpNavxM0X0dZC01TTPpV6E6PJoIfW8C06CKNHV7Gk2mkTWGSwUG4xD2L3G3"
         "XarodHDcmumFJX9Xviv0rvm38SCtin6OpjH8MHYDrj1OxTJbC2VclJxv73z2BDBquosKOik0fmgbPZN0FUTmjBEwHT"
         "vqd5QHTwb3nOpEz3X6YCF0lrcrQc0uhyr7gBGBs86nUBWFRp1LKjIRVTVXDipajqNDTQGNZtzvR9MUf1yJJV07inbr"
         "lPOENd7rHpKCrJtoZXOkDqInaIqoMCG3DVd353BGmZNJEKOa3DnL7fb9zwuHlvHAfCco7ZS4wAV87trWkp6skXux9v"
         "5WhkumbUyGq4ia6DM1PuqqnFfBTAWDzJsnggAJrzr8O7JbDtaXwcW9sqaOb0S6NvnUDZqiNdDQPMDOKvXRJJJQdf1F"
         "SrPCCSPEEWO1SeVwictj7rTbpWGRoukwhgJALys95pGGOQxCPzRGrtVFnGcsLN1CwI3wLbmDnNKUv3KpOLEOPRxQXe"
         "XuJRIiYCFum44c0wNr731DvHn3YEJMH4iwFONl1rolEL4w6KFUOCq7ekrE5iyUt1V32PNtuUshXRjOYjBval29JMH5"
         "GoqZlGhCczzHMA61cmuzqdFwiPCB9yzqvJTg8TqMNvwKJztFIQK4mc5Ev5rRVSozD796AVRKT8rZF39IA1kmCLdXqz"
         "7CCC8x4QjjDpxjKCXP5HkWf9mp2FNBjE3pAeaEc6Vk2ENLlW8WVCe HTTP/1.0\r\n"
         "\r\n"sv,
         414,
         {}},
        {"invalid_017"sv,
         "GET /test HTTP/1.1\r\n"
         "Long-header: 01234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456"
         "78901234567890123456789012345678901234567890123456789012345678901234567890123456789012345\r"
         "\n"
         "\r\n"sv,
         431,
         {}},
        {"invalid_018"sv,
         "GET /test HTTP/111\r\n"
         "Host: localhost\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_021"sv,
         "GET /stuff/here?foo=bar HTTP/1.1\r\n"
         "Content-Length: 3\r\n"
         "Content-Length: 2\r\n"
         "\r\n"
         "xyz"sv,
         400,
         {}},
        {"invalid_023"sv,
         "GET /first HTTP/1.0\r\n"
         "Content-Length: 0_1\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_042"sv,
         "GET /stuff/here?foo=bar HTTP/1.1\r\n"
         "Host: localhost\r\n"
         "Host: evil.example.com\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_chunked_01"sv,
         "POST /chunked_w_underscore_chunk_size HTTP/1.1\r\n"
         "Transfer-Encoding: chunked\r\n"
         "\r\n"
         "5\r\n"
         "hello\r\n"
         "6_0\r\n"
         " world\r\n"
         "0\r\n"
         "\r\n"
         "POST /after HTTP/1.1\r\n"
         "Transfer-Encoding: identity\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_chunked_02"sv,
         "POST /chunked_with_prefixed_value HTTP/1.1\r\n"
         "Content-Length: 12\r\n"
         "Transfer-Encoding: \tchunked\r\n"
         "\r\n"
         "5\r\n"
         "hello\r\n"
         "6\r\n"
         " world\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_chunked_03"sv,
         "POST /double_chunked HTTP/1.1\r\n"
         "Transfer-Encoding: identity, chunked, identity, chunked\r\n"
         "\r\n"
         "5\r\n"
         "hello\r\n"
         "6\r\n"
         " world\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_chunked_04"sv,
         "POST /chunked_twice HTTP/1.1\r\n"
         "Transfer-Encoding: identity\r\n"
         "Transfer-Encoding: chunked\r\n"
         "Transfer-Encoding: identity\r\n"
         "Transfer-Encoding: chunked\r\n"
         "\r\n"
         "5\r\n"
         "hello\r\n"
         "6\r\n"
         " world\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_chunked_06"sv,
         "POST /chunked_not_last HTTP/1.1\r\n"
         "Transfer-Encoding: chunked\r\n"
         "Transfer-Encoding: gzip\r\n"
         "\r\n"
         "5\r\n"
         "hello\r\n"
         "6\r\n"
         " world\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_chunked_09"sv,
         "POST /chunked_ows_without_ext HTTP/1.1\r\n"
         "Transfer-Encoding: chunked\r\n"
         "\r\n"
         "5\r\n"
         "hello\r\n"
         "0 \r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_chunked_10"sv,
         "POST /chunked_ows_before HTTP/1.1\r\n"
         "Transfer-Encoding: chunked\r\n"
         "\r\n"
         "5\r\n"
         "hello\r\n"
         " 0\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_chunked_11"sv,
         "POST /chunked_ows_before HTTP/1.1\r\n"
         "Transfer-Encoding: chunked\r\n"
         "\r\n"
         "5\n"
         ";\r\n"
         "hello\r\n"
         "0\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_chunked_13"sv,
         "POST /chunked_no_chunk_size HTTP/1.1\r\n"
         "Transfer-Encoding: chunked\r\n"
         "\r\n"
         "\r\n"
         "hello\r\n"
         "0\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_invalid_field_value_01"sv,
         "GET / HTTP/1.1\r\n"
         "Host: x\r\n"
         "Newline: a\n"
         "Content-Length: 26\r\n"
         "GET / HTTP/1.1\n"
         "Host: x\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_nonascii_01"sv,
         "GET\303\237 /germans.. HTTP/1.1\r\n"
         "Content-Length: 3\r\n"
         "\r\n"
         "\303\204\303\204\303\204"sv,
         400,
         {}},
        {"invalid_nonascii_02"sv,
         "GET\303\277 /french.. HTTP/1.1\r\n"
         "Content-Length: 3\r\n"
         "\r\n"
         "\303\204\303\204\303\204"sv,
         400,
         {}},
        {"invalid_nonascii_03"sv,
         "GET /germans.. HTTP/1.1\r\n"
         "Content-Length\303\237: 3\r\n"
         "Content-Length: 3\r\n"
         "\r\n"
         "\303\204\303\204\303\204"sv,
         400,
         {}},
        {"invalid_nonascii_04"sv,
         "GET /french.. HTTP/1.1\r\n"
         "Content-Length\303\277: 3\r\n"
         "Content-Length: 3\r\n"
         "\r\n"
         "\303\204\303\204\303\204"sv,
         400,
         {}},
        {"invalid_prefix_01"sv,
         "GET\000PROXY /foo HTTP/1.1\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_prefix_04"sv,
         "GET /stuff/here?foo=bar HTTP/1.1\r\n"
         "Content-Length: 3 1\r\n"
         "\r\n"
         "xyzabc123"sv,
         400,
         {}},
        {"invalid_prefix_06"sv,
         "GET /the/future HTTP/111111111111111111111111111111111111111111111111111111111111111111111"
         "1111111111111111111.1\r\n"
         "Content-Length: 7\r\n"
         "\r\n"
         "Old Man"sv,
         400,
         {}},
        {"invalid_rfc9110_field_value_ctl_bel_01"sv,
         "GET /foo HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "X-Value: plain\007injected\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_rfc9110_trailer_forbidden_host_01"sv,
         "POST /p HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "Transfer-Encoding: chunked\r\n"
         "\r\n"
         "5\r\n"
         "hello\r\n"
         "0\r\n"
         "Host: evil.example.com\r\n"
         "\r\n"sv,
         -1,
         {}},
        {"invalid_rfc9112_chunked_size_minus_sign_01"sv,
         "POST /upload HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "Transfer-Encoding: chunked\r\n"
         "\r\n"
         "-5\r\n"
         "hello\r\n"
         "0\r\n"
         "\r\n"sv,
         -1,
         {}},
        {"invalid_rfc9112_smuggle_cl_te_chunked_01"sv,
         "POST /p HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "Content-Length: 3\r\n"
         "Transfer-Encoding: chunked\r\n"
         "\r\n"
         "0\r\n"
         "\r\n"sv,
         400,
         {}},
        {"invalid_version_02"sv,
         "GET /foo HTTP/2.0\r\n"
         "\r\n"sv,
         505,
         {}},
        {"valid_001"sv,
         "PUT /stuff/here?foo=bar HTTP/1.0\r\n"
         "Server: http://127.0.0.1:5984\r\n"
         "Content-Type: application/json\r\n"
         "Content-Length: 14\r\n"
         "\r\n"
         "{\"nom\": \"nom\"}"sv,
         0,
         {
             {"PUT"sv,
              "/stuff/here?foo=bar"sv,
              "/stuff/here"sv,
              "foo=bar"sv,
              ""sv,
              0,
              {{"SERVER"sv, "http://127.0.0.1:5984"sv},
               {"CONTENT-TYPE"sv, "application/json"sv},
               {"CONTENT-LENGTH"sv, "14"sv}},
              "{\"nom\": \"nom\"}"sv},
         }},
        {"valid_003"sv,
         "GET /favicon.ico HTTP/1.1\r\n"
         "Host: 0.0.0.0=5000\r\n"
         "User-Agent: Mozilla/5.0 (X11; U; Linux i686; en-US; rv:1.9) Gecko/2008061015 Firefox/3.0\r"
         "\n"
         "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
         "Accept-Language: en-us,en;q=0.5\r\n"
         "Accept-Encoding: gzip,deflate\r\n"
         "Accept-Charset: ISO-8859-1,utf-8;q=0.7,*;q=0.7\r\n"
         "Keep-Alive: 300\r\n"
         "Connection: keep-alive\r\n"
         "\r\n"sv,
         0,
         {
             {"GET"sv,
              "/favicon.ico"sv,
              "/favicon.ico"sv,
              ""sv,
              ""sv,
              1,
              {{"HOST"sv, "0.0.0.0=5000"sv},
               {"USER-AGENT"sv, "Mozilla/5.0 (X11; U; Linux i686; en-US; rv:1.9) Gecko/2008061015 Firefox/3.0"sv},
               {"ACCEPT"sv, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"sv},
               {"ACCEPT-LANGUAGE"sv, "en-us,en;q=0.5"sv},
               {"ACCEPT-ENCODING"sv, "gzip,deflate"sv},
               {"ACCEPT-CHARSET"sv, "ISO-8859-1,utf-8;q=0.7,*;q=0.7"sv},
               {"KEEP-ALIVE"sv, "300"sv},
               {"CONNECTION"sv, "keep-alive"sv}},
              ""sv},
         }},
        {"valid_004"sv,
         "GET /silly HTTP/1.1\r\n"
         "aaaaaaaaaaaaa:++++++++++\r\n"
         "\r\n"sv,
         400,
         {}},
        {"valid_004_host"sv,
         "GET /silly HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "aaaaaaaaaaaaa:++++++++++\r\n"
         "\r\n"sv,
         0,
         {
             {"GET"sv,
              "/silly"sv,
              "/silly"sv,
              ""sv,
              ""sv,
              1,
              {{"HOST"sv, "example.com"sv}, {"AAAAAAAAAAAAA"sv, "++++++++++"sv}},
              ""sv},
         }},
        {"valid_006"sv,
         "GET /get_no_headers_no_body/world HTTP/1.1\r\n"
         "\r\n"sv,
         400,
         {}},
        {"valid_006_host"sv,
         "GET /get_no_headers_no_body/world HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "\r\n"sv,
         0,
         {
             {"GET"sv,
              "/get_no_headers_no_body/world"sv,
              "/get_no_headers_no_body/world"sv,
              ""sv,
              ""sv,
              1,
              {{"HOST"sv, "example.com"sv}},
              ""sv},
         }},
        {"valid_011"sv,
         "POST /two_chunks_mult_zero_end HTTP/1.1\r\n"
         "Transfer-Encoding: chunked\r\n"
         "\r\n"
         "5\r\n"
         "hello\r\n"
         "6\r\n"
         " world\r\n"
         "000\r\n"
         "\r\n"sv,
         400,
         {}},
        {"valid_011_host"sv,
         "POST /two_chunks_mult_zero_end HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "Transfer-Encoding: chunked\r\n"
         "\r\n"
         "5\r\n"
         "hello\r\n"
         "6\r\n"
         " world\r\n"
         "000\r\n"
         "\r\n"sv,
         0,
         {
             {"POST"sv,
              "/two_chunks_mult_zero_end"sv,
              "/two_chunks_mult_zero_end"sv,
              ""sv,
              ""sv,
              1,
              {{"HOST"sv, "example.com"sv}, {"TRANSFER-ENCODING"sv, "chunked"sv}},
              "hello world"sv},
         }},
        {"valid_014"sv,
         "GET /with_\"quotes\"?foo=\"bar\" HTTP/1.1\r\n"
         "\r\n"sv,
         400,
         {}},
        {"valid_014_host"sv,
         "GET /with_\"quotes\"?foo=\"bar\" HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "\r\n"sv,
         0,
         {
             {"GET"sv,
              "/with_\"quotes\"?foo=\"bar\""sv,
              "/with_\"quotes\""sv,
              "foo=\"bar\""sv,
              ""sv,
              1,
              {{"HOST"sv, "example.com"sv}},
              ""sv},
         }},
        {"valid_015"sv,
         "GET /test HTTP/1.0\r\n"
         "Host: 0.0.0.0:5000\r\n"
         "User-Agent: ApacheBench/2.3\r\n"
         "Accept: */*\r\n"
         "\r\n"sv,
         0,
         {
             {"GET"sv,
              "/test"sv,
              "/test"sv,
              ""sv,
              ""sv,
              0,
              {{"HOST"sv, "0.0.0.0:5000"sv}, {"USER-AGENT"sv, "ApacheBench/2.3"sv}, {"ACCEPT"sv, "*/*"sv}},
              ""sv},
         }},
        {"valid_017"sv,
         "GET /stuff/here?foo=bar HTTP/1.0\r\n"
         "If-Match: bazinga!\r\n"
         "If-Match: large-sound\r\n"
         "\r\n"sv,
         0,
         {
             {"GET"sv,
              "/stuff/here?foo=bar"sv,
              "/stuff/here"sv,
              "foo=bar"sv,
              ""sv,
              0,
              {{"IF-MATCH"sv, "bazinga!"sv}, {"IF-MATCH"sv, "large-sound"sv}},
              ""sv},
         }},
        {"valid_018"sv,
         "GET /first HTTP/1.1\r\n"
         "\r\n"
         "GET /second HTTP/1.1\r\n"
         "\r\n"sv,
         400,
         {}},
        {"valid_018_host"sv,
         "GET /first HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "\r\n"
         "GET /second HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "\r\n"sv,
         0,
         {
             {"GET"sv, "/first"sv, "/first"sv, ""sv, ""sv, 1, {{"HOST"sv, "example.com"sv}}, ""sv},
             {"GET"sv, "/second"sv, "/second"sv, ""sv, ""sv, 1, {{"HOST"sv, "example.com"sv}}, ""sv},
         }},
        {"valid_019"sv,
         "GET /first HTTP/1.0\r\n"
         "\r\n"
         "GET /second HTTP/1.1\r\n"
         "\r\n"sv,
         400,
         {
             {"GET"sv, "/first"sv, "/first"sv, ""sv, ""sv, 0, {}, ""sv},
         }},
        {"valid_020"sv,
         "GET /first HTTP/1.0\r\n"
         "Content-Length: 24\r\n"
         "\r\n"
         "GET /second HTTP/1.1\r\n"
         "\r\n"sv,
         0,
         {
             {"GET"sv,
              "/first"sv,
              "/first"sv,
              ""sv,
              ""sv,
              0,
              {{"CONTENT-LENGTH"sv, "24"sv}},
              "GET /second HTTP/1.1\r\n"
              "\r\n"sv},
         }},
        {"valid_023"sv,
         "POST /two_chunks_mult_zero_end HTTP/1.1\r\n"
         "Transfer-Encoding: chunked\r\n"
         "\r\n"
         "5\r\n"
         "hello\r\n"
         "6\r\n"
         " world\r\n"
         "000\r\n"
         "\r\n"
         "GET /second HTTP/1.1\r\n"
         "\r\n"sv,
         400,
         {}},
        {"valid_023_host"sv,
         "POST /two_chunks_mult_zero_end HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "Transfer-Encoding: chunked\r\n"
         "\r\n"
         "5\r\n"
         "hello\r\n"
         "6\r\n"
         " world\r\n"
         "000\r\n"
         "\r\n"
         "GET /second HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "\r\n"sv,
         0,
         {
             {"POST"sv,
              "/two_chunks_mult_zero_end"sv,
              "/two_chunks_mult_zero_end"sv,
              ""sv,
              ""sv,
              1,
              {{"HOST"sv, "example.com"sv}, {"TRANSFER-ENCODING"sv, "chunked"sv}},
              "hello world"sv},
             {"GET"sv, "/second"sv, "/second"sv, ""sv, ""sv, 1, {{"HOST"sv, "example.com"sv}}, ""sv},
         }},
        {"valid_025"sv,
         "POST /chunked HTTP/1.1\r\n"
         "Transfer-Encoding: gzip\r\n"
         "Transfer-Encoding: chunked\r\n"
         "\r\n"
         "5\r\n"
         "hello\r\n"
         "6\r\n"
         " world\r\n"
         "0\r\n"
         "\r\n"sv,
         400,
         {}},
        {"valid_025_host"sv,
         "POST /chunked HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "Transfer-Encoding: gzip\r\n"
         "Transfer-Encoding: chunked\r\n"
         "\r\n"
         "5\r\n"
         "hello\r\n"
         "6\r\n"
         " world\r\n"
         "0\r\n"
         "\r\n"sv,
         0,
         {
             {"POST"sv,
              "/chunked"sv,
              "/chunked"sv,
              ""sv,
              ""sv,
              1,
              {{"HOST"sv, "example.com"sv}, {"TRANSFER-ENCODING"sv, "gzip"sv}, {"TRANSFER-ENCODING"sv, "chunked"sv}},
              "hello world"sv},
         }},
        {"valid_025_line"sv,
         "POST /chunked HTTP/1.1\r\n"
         "Transfer-Encoding: gzip,chunked\r\n"
         "\r\n"
         "5\r\n"
         "hello\r\n"
         "6\r\n"
         " world\r\n"
         "0\r\n"
         "\r\n"sv,
         400,
         {}},
        {"valid_025_line_host"sv,
         "POST /chunked HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "Transfer-Encoding: gzip,chunked\r\n"
         "\r\n"
         "5\r\n"
         "hello\r\n"
         "6\r\n"
         " world\r\n"
         "0\r\n"
         "\r\n"sv,
         0,
         {
             {"POST"sv,
              "/chunked"sv,
              "/chunked"sv,
              ""sv,
              ""sv,
              1,
              {{"HOST"sv, "example.com"sv}, {"TRANSFER-ENCODING"sv, "gzip,chunked"sv}},
              "hello world"sv},
         }},
        {"valid_027"sv,
         "GET /\303\240%20k HTTP/1.0\r\n"
         "\r\n"sv,
         0,
         {
             {"GET"sv, "/\303\240%20k"sv, "/\303\240%20k"sv, ""sv, ""sv, 0, {}, ""sv},
         }},
        {"valid_029"sv,
         "GET /stuff/here?foo=bar HTTP/1.1\r\n"
         "Transfer-Encoding: identity\r\n"
         "Transfer-Encoding: chunked\r\n"
         "\r\n"
         "5\r\n"
         "hello\r\n"
         "000\r\n"
         "\r\n"sv,
         400,
         {}},
        {"valid_029_host"sv,
         "GET /stuff/here?foo=bar HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "Transfer-Encoding: identity\r\n"
         "Transfer-Encoding: chunked\r\n"
         "\r\n"
         "5\r\n"
         "hello\r\n"
         "000\r\n"
         "\r\n"sv,
         0,
         {
             {"GET"sv,
              "/stuff/here?foo=bar"sv,
              "/stuff/here"sv,
              "foo=bar"sv,
              ""sv,
              1,
              {{"HOST"sv, "example.com"sv},
               {"TRANSFER-ENCODING"sv, "identity"sv},
               {"TRANSFER-ENCODING"sv, "chunked"sv}},
              "hello"sv},
         }},
        {"valid_040"sv,
         "GET /keep/same/as?invalid/040 HTTP/1.0\r\n"
         "Transfer_Encoding: tricked\r\n"
         "Content-Length: 7\r\n"
         "Content_Length: -1E23\r\n"
         "\r\n"
         "tricked\r\n"sv,
         0,
         {
             {"GET"sv,
              "/keep/same/as?invalid/040"sv,
              "/keep/same/as"sv,
              "invalid/040"sv,
              ""sv,
              0,
              {{"CONTENT-LENGTH"sv, "7"sv}},
              "tricked"sv},
         }},
        {"valid_099"sv,
         "POST /test-form HTTP/1.1\r\n"
         "Host: 0.0.0.0:5000\r\n"
         "User-Agent: Mozilla/5.0 (Windows NT 6.2; WOW64; rv:25.0) Gecko/20100101 Firefox/25.0\r\n"
         "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
         "Accept-Language: en-us,en;q=0.7,el;q=0.3\r\n"
         "Accept-Encoding: gzip, deflate\r\n"
         "Cookie: csrftoken=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX; sessionid=YYYYYYYYYYYYYYYYYYYYYYYYYYYY\r"
         "\n"
         "Connection: keep-alive\r\n"
         "Content-Type: multipart/form-data; boundary=---------------------------320761477111544\r\n"
         "Content-Length: 17914\r\n"
         "\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n"
         "\r\n"
         "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"_save\"\r\n"
         "\r\n"
         "Save\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"name\"\r\n"
         "\r\n"
         "test.example.org\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"type\"\r\n"
         "\r\n"
         "NATIVE\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"master\"\r\n"
         "\r\n"
         "\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_dynamiczone_domain-TOTAL_FORMS\"\r\n"
         "\r\n"
         "1\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_dynamiczone_domain-INITIAL_FORMS\"\r"
         "\n"
         "\r\n"
         "1\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_dynamiczone_domain-MAX_NUM_FORMS\"\r"
         "\n"
         "\r\n"
         "1\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_dynamiczone_domain-0-is_dynamic\"\r\n"
         "\r\n"
         "on\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_dynamiczone_domain-0-id\"\r\n"
         "\r\n"
         "1\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_dynamiczone_domain-0-domain\"\r\n"
         "\r\n"
         "2\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_dynamiczone_domain-__prefix__-id\"\r"
         "\n"
         "\r\n"
         "\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_dynamiczone_domain-__prefix__-domain"
         "\"\r\n"
         "\r\n"
         "2\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-TOTAL_FORMS\"\r\n"
         "\r\n"
         "1\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-INITIAL_FORMS\"\r\n"
         "\r\n"
         "1\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-MAX_NUM_FORMS\"\r\n"
         "\r\n"
         "1\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-0-ttl\"\r\n"
         "\r\n"
         "3600\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-0-primary\"\r\n"
         "\r\n"
         "ns.example.org\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-0-hostmaster\"\r\n"
         "\r\n"
         "hostmaster.test.example.org\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-0-serial\"\r\n"
         "\r\n"
         "2013121701\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-0-refresh\"\r\n"
         "\r\n"
         "10800\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-0-retry\"\r\n"
         "\r\n"
         "3600\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-0-expire\"\r\n"
         "\r\n"
         "604800\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-0-default_ttl\"\r\n"
         "\r\n"
         "3600\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-0-id\"\r\n"
         "\r\n"
         "16\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-0-domain\"\r\n"
         "\r\n"
         "2\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-__prefix__-ttl\"\r\n"
         "\r\n"
         "\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-__prefix__-primary\"\r"
         "\n"
         "\r\n"
         "\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-__prefix__-hostmaster\""
         "\r\n"
         "\r\n"
         "\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-__prefix__-serial\"\r\n"
         "\r\n"
         "1\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-__prefix__-refresh\"\r"
         "\n"
         "\r\n"
         "10800\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-__prefix__-retry\"\r\n"
         "\r\n"
         "3600\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-__prefix__-expire\"\r\n"
         "\r\n"
         "604800\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-__prefix__-default_ttl"
         "\"\r\n"
         "\r\n"
         "3600\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-__prefix__-id\"\r\n"
         "\r\n"
         "\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-__prefix__-domain\"\r\n"
         "\r\n"
         "2\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-2-TOTAL_FORMS\"\r\n"
         "\r\n"
         "0\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-2-INITIAL_FORMS\"\r\n"
         "\r\n"
         "0\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-2-MAX_NUM_FORMS\"\r\n"
         "\r\n"
         "1000\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-2-__prefix__-id\"\r\n"
         "\r\n"
         "\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-2-__prefix__-domain\"\r"
         "\n"
         "\r\n"
         "2\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-2-__prefix__-name\"\r\n"
         "\r\n"
         "\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-2-__prefix__-ttl\"\r\n"
         "\r\n"
         "\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-2-__prefix__-content\""
         "\r\n"
         "\r\n"
         "\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-3-TOTAL_FORMS\"\r\n"
         "\r\n"
         "0\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-3-INITIAL_FORMS\"\r\n"
         "\r\n"
         "0\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-3-MAX_NUM_FORMS\"\r\n"
         "\r\n"
         "1000\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-3-__prefix__-id\"\r\n"
         "\r\n"
         "\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-3-__prefix__-domain\"\r"
         "\n"
         "\r\n"
         "2\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-3-__prefix__-name\"\r\n"
         "\r\n"
         "\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-3-__prefix__-ttl\"\r\n"
         "\r\n"
         "\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-3-__prefix__-prio\"\r\n"
         "\r\n"
         "\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-3-__prefix__-content\""
         "\r\n"
         "\r\n"
         "\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-4-TOTAL_FORMS\"\r\n"
         "\r\n"
         "0\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-4-INITIAL_FORMS\"\r\n"
         "\r\n"
         "0\r\n"
         "---------------------\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-5-TOTAL_FORMS\"\r\n"
         "\r\n"
         "0\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-5-INITIAL_FORMS\"\r\n"
         "\r\n"
         "0\r\n"
         "---------------------\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-6-TOTAL_FORMS\"\r\n"
         "\r\n"
         "0\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-6-INITIAL_FORMS\"\r\n"
         "\r\n"
         "0\r\n"
         "---------------------\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-7-TOTAL_FORMS\"\r\n"
         "\r\n"
         "0\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-7-INITIAL_FORMS\"\r\n"
         "\r\n"
         "0\r\n"
         "---------------------\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-8-TOTAL_FORMS\"\r\n"
         "\r\n"
         "0\r\n"
         "-----------------------------320761477111544\r\n"
         "Content-Disposition: form-data; name=\"foobar_manager_record_domain-8-INITIAL_FORMS\"\r\n"
         "\r\n"
         "0\r\n"
         "---------------------\r\n"sv,
         -2,
         {
             {"POST"sv,
              "/test-form"sv,
              "/test-form"sv,
              ""sv,
              ""sv,
              1,
              {{"HOST"sv, "0.0.0.0:5000"sv},
               {"USER-AGENT"sv, "Mozilla/5.0 (Windows NT 6.2; WOW64; rv:25.0) Gecko/20100101 Firefox/25.0"sv},
               {"ACCEPT"sv, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"sv},
               {"ACCEPT-LANGUAGE"sv, "en-us,en;q=0.7,el;q=0.3"sv},
               {"ACCEPT-ENCODING"sv, "gzip, deflate"sv},
               {"COOKIE"sv, "csrftoken=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX; sessionid=YYYYYYYYYYYYYYYYYYYYYYYYYYYY"sv},
               {"CONNECTION"sv, "keep-alive"sv},
               {"CONTENT-TYPE"sv, "multipart/form-data; boundary=---------------------------320761477111544"sv},
               {"CONTENT-LENGTH"sv, "17914"sv}},
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n"
              "\r\n"
              "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"_save\"\r\n"
              "\r\n"
              "Save\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"name\"\r\n"
              "\r\n"
              "test.example.org\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"type\"\r\n"
              "\r\n"
              "NATIVE\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"master\"\r\n"
              "\r\n"
              "\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_dynamiczone_domain-TOTAL_FORMS\"\r\n"
              "\r\n"
              "1\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_dynamiczone_domain-INITIAL_FORMS\"\r"
              "\n"
              "\r\n"
              "1\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_dynamiczone_domain-MAX_NUM_FORMS\"\r"
              "\n"
              "\r\n"
              "1\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_dynamiczone_domain-0-is_dynamic\"\r\n"
              "\r\n"
              "on\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_dynamiczone_domain-0-id\"\r\n"
              "\r\n"
              "1\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_dynamiczone_domain-0-domain\"\r\n"
              "\r\n"
              "2\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_dynamiczone_domain-__prefix__-id\"\r"
              "\n"
              "\r\n"
              "\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_dynamiczone_domain-__prefix__-domain"
              "\"\r\n"
              "\r\n"
              "2\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-TOTAL_FORMS\"\r\n"
              "\r\n"
              "1\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-INITIAL_FORMS\"\r\n"
              "\r\n"
              "1\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-MAX_NUM_FORMS\"\r\n"
              "\r\n"
              "1\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-0-ttl\"\r\n"
              "\r\n"
              "3600\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-0-primary\"\r\n"
              "\r\n"
              "ns.example.org\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-0-hostmaster\"\r\n"
              "\r\n"
              "hostmaster.test.example.org\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-0-serial\"\r\n"
              "\r\n"
              "2013121701\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-0-refresh\"\r\n"
              "\r\n"
              "10800\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-0-retry\"\r\n"
              "\r\n"
              "3600\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-0-expire\"\r\n"
              "\r\n"
              "604800\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-0-default_ttl\"\r\n"
              "\r\n"
              "3600\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-0-id\"\r\n"
              "\r\n"
              "16\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-0-domain\"\r\n"
              "\r\n"
              "2\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-__prefix__-ttl\"\r\n"
              "\r\n"
              "\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-__prefix__-primary\"\r"
              "\n"
              "\r\n"
              "\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-__prefix__-hostmaster\""
              "\r\n"
              "\r\n"
              "\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-__prefix__-serial\"\r\n"
              "\r\n"
              "1\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-__prefix__-refresh\"\r"
              "\n"
              "\r\n"
              "10800\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-__prefix__-retry\"\r\n"
              "\r\n"
              "3600\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-__prefix__-expire\"\r\n"
              "\r\n"
              "604800\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-__prefix__-default_ttl"
              "\"\r\n"
              "\r\n"
              "3600\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-__prefix__-id\"\r\n"
              "\r\n"
              "\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-__prefix__-domain\"\r\n"
              "\r\n"
              "2\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-2-TOTAL_FORMS\"\r\n"
              "\r\n"
              "0\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-2-INITIAL_FORMS\"\r\n"
              "\r\n"
              "0\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-2-MAX_NUM_FORMS\"\r\n"
              "\r\n"
              "1000\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-2-__prefix__-id\"\r\n"
              "\r\n"
              "\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-2-__prefix__-domain\"\r"
              "\n"
              "\r\n"
              "2\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-2-__prefix__-name\"\r\n"
              "\r\n"
              "\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-2-__prefix__-ttl\"\r\n"
              "\r\n"
              "\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-2-__prefix__-content\""
              "\r\n"
              "\r\n"
              "\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-3-TOTAL_FORMS\"\r\n"
              "\r\n"
              "0\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-3-INITIAL_FORMS\"\r\n"
              "\r\n"
              "0\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-3-MAX_NUM_FORMS\"\r\n"
              "\r\n"
              "1000\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-3-__prefix__-id\"\r\n"
              "\r\n"
              "\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-3-__prefix__-domain\"\r"
              "\n"
              "\r\n"
              "2\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-3-__prefix__-name\"\r\n"
              "\r\n"
              "\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-3-__prefix__-ttl\"\r\n"
              "\r\n"
              "\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-3-__prefix__-prio\"\r\n"
              "\r\n"
              "\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-3-__prefix__-content\""
              "\r\n"
              "\r\n"
              "\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-4-TOTAL_FORMS\"\r\n"
              "\r\n"
              "0\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-4-INITIAL_FORMS\"\r\n"
              "\r\n"
              "0\r\n"
              "---------------------\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-5-TOTAL_FORMS\"\r\n"
              "\r\n"
              "0\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-5-INITIAL_FORMS\"\r\n"
              "\r\n"
              "0\r\n"
              "---------------------\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-6-TOTAL_FORMS\"\r\n"
              "\r\n"
              "0\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-6-INITIAL_FORMS\"\r\n"
              "\r\n"
              "0\r\n"
              "---------------------\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-7-TOTAL_FORMS\"\r\n"
              "\r\n"
              "0\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-7-INITIAL_FORMS\"\r\n"
              "\r\n"
              "0\r\n"
              "---------------------\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-8-TOTAL_FORMS\"\r\n"
              "\r\n"
              "0\r\n"
              "-----------------------------320761477111544\r\n"
              "Content-Disposition: form-data; name=\"foobar_manager_record_domain-8-INITIAL_FORMS\"\r\n"
              "\r\n"
              "0\r\n"
              "---------------------\r\n"sv},
         }},
        {"valid_100"sv,
         "GET ///keeping_slashes HTTP/1.1\r\n"
         "\r\n"sv,
         400,
         {}},
        {"valid_100_host"sv,
         "GET ///keeping_slashes HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "\r\n"sv,
         0,
         {
             {"GET"sv,
              "///keeping_slashes"sv,
              "///keeping_slashes"sv,
              ""sv,
              ""sv,
              1,
              {{"HOST"sv, "example.com"sv}},
              ""sv},
         }},
        {"valid_padding_01"sv,
         "GET / HTTP/1.1\r\n"
         "Host: localhost\r\n"
         "Name: \t value \t \r\n"
         "\r\n"sv,
         0,
         {
             {"GET"sv, "/"sv, "/"sv, ""sv, ""sv, 1, {{"HOST"sv, "localhost"sv}, {"NAME"sv, "value"sv}}, ""sv},
         }},
        {"valid_rfc9110_body_framing_http10_cl_01"sv,
         "POST /foo HTTP/1.0\r\n"
         "Host: example.com\r\n"
         "Content-Length: 5\r\n"
         "\r\n"
         "hello"sv,
         0,
         {
             {"POST"sv,
              "/foo"sv,
              "/foo"sv,
              ""sv,
              ""sv,
              0,
              {{"HOST"sv, "example.com"sv}, {"CONTENT-LENGTH"sv, "5"sv}},
              "hello"sv},
         }},
        {"valid_rfc9110_field_value_obs_text_01"sv,
         "GET /foo HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "X-Value: caf\303\251\r\n"
         "\r\n"sv,
         0,
         {
             {"GET"sv,
              "/foo"sv,
              "/foo"sv,
              ""sv,
              ""sv,
              1,
              {{"HOST"sv, "example.com"sv}, {"X-VALUE"sv, "caf\303\251"sv}},
              ""sv},
         }},
        {"valid_rfc9112_chunked_size_uppercase_hex_01"sv,
         "POST /upload HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "Transfer-Encoding: chunked\r\n"
         "\r\n"
         "A\r\n"
         "0123456789\r\n"
         "0\r\n"
         "\r\n"sv,
         0,
         {
             {"POST"sv,
              "/upload"sv,
              "/upload"sv,
              ""sv,
              ""sv,
              1,
              {{"HOST"sv, "example.com"sv}, {"TRANSFER-ENCODING"sv, "chunked"sv}},
              "0123456789"sv},
         }},
        {"valid_rfc9112_smuggle_gzip_chunked_01"sv,
         "POST /upload HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "Transfer-Encoding: gzip, chunked\r\n"
         "\r\n"
         "5\r\n"
         "hello\r\n"
         "0\r\n"
         "\r\n"sv,
         0,
         {
             {"POST"sv,
              "/upload"sv,
              "/upload"sv,
              ""sv,
              ""sv,
              1,
              {{"HOST"sv, "example.com"sv}, {"TRANSFER-ENCODING"sv, "gzip, chunked"sv}},
              "hello"sv},
         }},
        {"valid_rfc9112_target_absolute_01"sv,
         "GET http://example.com/foo?q=1 HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "\r\n"sv,
         0,
         {
             {"GET"sv, "http://example.com/foo?q=1"sv, "/foo"sv, "q=1"sv, ""sv, 1, {{"HOST"sv, "example.com"sv}}, ""sv},
         }},
        {"valid_rfc9112_target_absolute_https_01"sv,
         "GET https://example.com/foo HTTP/1.1\r\n"
         "Host: example.com\r\n"
         "\r\n"sv,
         0,
         {
             {"GET"sv, "https://example.com/foo"sv, "/foo"sv, ""sv, ""sv, 1, {{"HOST"sv, "example.com"sv}}, ""sv},
         }},
        {"valid_rfc9112_target_absolute_ipv6_01"sv,
         "GET http://[::1]:8080/foo HTTP/1.1\r\n"
         "Host: [::1]:8080\r\n"
         "\r\n"sv,
         0,
         {
             {"GET"sv, "http://[::1]:8080/foo"sv, "/foo"sv, ""sv, ""sv, 1, {{"HOST"sv, "[::1]:8080"sv}}, ""sv},
         }},
        {"valid_rfc9112_target_authority_connect_01"sv,
         "CONNECT example.com:443 HTTP/1.1\r\n"
         "Host: example.com:443\r\n"
         "\r\n"sv,
         0,
         {
             {"CONNECT"sv,
              "example.com:443"sv,
              "example.com:443"sv,
              ""sv,
              ""sv,
              1,
              {{"HOST"sv, "example.com:443"sv}},
              ""sv},
         }},
    };
    return cases;
}

} // namespace forkhorn::http::test
