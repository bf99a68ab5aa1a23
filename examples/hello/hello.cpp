// The smallest forkhorn app: `forkhorn ./libhello.so:app`.
#include <forkhorn/app.hpp>

FORKHORN_APP(app, [](forkhorn::request&, forkhorn::response& res) {
    res.header("Content-Type", "text/plain");
    res.write("Hello, World!\n");
})
