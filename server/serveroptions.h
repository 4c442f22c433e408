#pragma once

#include "server/serverconfig.h"

class QCommandLineParser;

// The room host's command-line options, shared by `--server` and the GUI's `--host`.
namespace ServerOptions {

void addTo(QCommandLineParser &parser);

struct Parsed
{
    ServerConfig config;
    QString error; // a sentence naming the bad option; empty when all is well
    bool ok() const { return error.isEmpty(); }
};
Parsed read(const QCommandLineParser &parser);

} // namespace ServerOptions
