#include "app/loader.hpp"

#include <boost/test/unit_test.hpp>

using namespace forkhorn;

BOOST_AUTO_TEST_SUITE(loader)

BOOST_AUTO_TEST_CASE(split_app_spec_forms)
{
    std::string path, symbol;
    split_app_spec("./libhello.so:app", path, symbol);
    BOOST_TEST(path == "./libhello.so");
    BOOST_TEST(symbol == "app");
    split_app_spec("./libhello.so", path, symbol);
    BOOST_TEST(path == "./libhello.so");
    BOOST_TEST(symbol == "app");
    split_app_spec("C:\\apps\\hello.dll", path, symbol);
    BOOST_TEST(path == "C:\\apps\\hello.dll");
    split_app_spec("C:\\apps\\hello.dll:make_app", path, symbol);
    BOOST_TEST(path == "C:\\apps\\hello.dll");
    BOOST_TEST(symbol == "make_app");
}

BOOST_AUTO_TEST_CASE(loads_hello)
{
    app_host host;
    std::string message;
    BOOST_REQUIRE_MESSAGE(host.load(FORKHORN_HELLO_LIBRARY ":app", message) == app_error::none, message);
    BOOST_TEST(host.app().abi_version == FORKHORN_ABI_VERSION);
    BOOST_TEST(std::string(host.app().name) == "app");
}

BOOST_AUTO_TEST_CASE(missing_library)
{
    app_host host;
    std::string message;
    BOOST_TEST((host.load("/nonexistent/libx.so:app", message) == app_error::library));
    BOOST_TEST(message.starts_with("cannot load application library '/nonexistent/libx.so': "), message);
    BOOST_TEST(exit_code_for(app_error::library) == 4);
}

BOOST_AUTO_TEST_CASE(missing_symbol)
{
    app_host host;
    std::string message;
    BOOST_TEST((host.load(FORKHORN_HELLO_LIBRARY ":nope", message) == app_error::symbol));
    BOOST_TEST(message.find("has no symbol 'nope'") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(abi_mismatch_is_refused_before_any_call)
{
    app_host host;
    std::string message;
    BOOST_TEST((host.load(FORKHORN_BAD_ABI_LIBRARY ":app", message) == app_error::abi));
    BOOST_TEST(message.find("built for app ABI version 999, this server speaks version 1") != std::string::npos,
               message);
}

BOOST_AUTO_TEST_CASE(init_failure_is_a_boot_error) { BOOST_TEST(exit_code_for(app_error::init) == 3); }

BOOST_AUTO_TEST_SUITE_END()
