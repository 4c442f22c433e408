#pragma once

#include "server/serverconfig.h"

#include <QUrl>

// How the GUI was asked to start: with the start dialog, or straight into hosting
// (`--host`) or joining (`--join URL --nick NAME`).
struct StartOptions
{
    enum class Mode { Ask, Host, Join };
    Mode mode = Mode::Ask;
    ServerConfig hostConfig; // for Host
    QUrl joinUrl; // for Join
    QString nick; // for Host and Join; empty: ask (or the remembered one)
    // The room's password as typed: for Host, the new room's (hostConfig.password is made
    // from it) and its own window's; for Join, what to send. Empty: none (yet).
    QString password;
};
