// confab: one binary that hosts a room, joins one, or serves a room headless.
// This file only reads argv, picks QCoreApplication or QApplication, and wires the pieces.

#include "app/core/cliclient.h"
#include "app/core/roomaddress.h"
#include "app/core/translations.h"
#include "app/ui/appcontroller.h"
#include "server/room.h"
#include "server/roomserver.h"
#include "server/serveroptions.h"
#include "server/signalwatcher.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QIcon>

#include <cstdio>
#include <memory>

namespace {

bool wantsHeadless(int argc, char **argv)
{
    // --help and --version must work with no display, like --server and --cli.
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "--server" || arg == "--cli" || arg == "--help" || arg == "-h"
            || arg == "--help-all" || arg == "--version" || arg == "-v")
            return true;
    }
    return false;
}

int fail(const QString &sentence)
{
    std::fprintf(stderr, "confab: %s\n", qPrintable(sentence));
    return 2;
}

int runServer(const ServerConfig &config)
{
    qSetMessagePattern(QStringLiteral("%{time yyyy-MM-ddTHH:mm:ss.zzz} "
                                      "%{if-warning}warning: %{endif}"
                                      "%{if-critical}error: %{endif}%{message}"));
    RoomServer server(config);
    if (!server.start())
        return fail(server.errorString());
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::received, &server, [&server](int number) {
        qInfo("signal %d: closing every client and stopping", number);
        server.stop();
    });
    QObject::connect(&server, &RoomServer::stopped, QCoreApplication::instance(),
                     [] { QCoreApplication::exit(0); });
    std::printf("listening on %s\n", qPrintable(server.url().toString()));
    std::fflush(stdout);
    return QCoreApplication::exec();
}

int runCli(const QCommandLineParser &parser)
{
    const RoomAddress::Parsed address = RoomAddress::parse(parser.value(QStringLiteral("join")));
    if (!parser.isSet(QStringLiteral("join")) || !address.ok())
        return fail(parser.isSet(QStringLiteral("join"))
                        ? address.error
                        : QCoreApplication::translate("main", "--cli needs --join URL."));
    const QString nick = parser.value(QStringLiteral("nick"));
    if (nick.trimmed().isEmpty())
        return fail(QCoreApplication::translate("main", "--cli needs --nick NAME."));
    CliClient cli;
    if (parser.isSet(QStringLiteral("password-file"))) {
        QString error;
        const QString password =
            CliClient::readPasswordFile(parser.value(QStringLiteral("password-file")), &error);
        if (password.isEmpty())
            return fail(error);
        cli.setPassword(password);
    }
    QObject::connect(&cli, &CliClient::finished, QCoreApplication::instance(),
                     [](int code) { QCoreApplication::exit(code); });
    cli.start(address.url, nick);
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char **argv)
{
    const bool headless = wantsHeadless(argc, argv);
    std::unique_ptr<QCoreApplication> app = headless
        ? std::make_unique<QCoreApplication>(argc, argv)
        : std::make_unique<QApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("confab"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CONFAB_VERSION));
    QCoreApplication::setOrganizationName(QStringLiteral("confab"));
    // Before the options are described, so that --help is translated too.
    Translations::installTranslators(*app, Translations::configuredLanguage());

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("main", "Confab: chat rooms for the local network."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        { QStringLiteral("server"),
          QCoreApplication::translate("main", "Run the room headless: no window, logs to stderr.") },
        { QStringLiteral("host"),
          QCoreApplication::translate("main", "Open the GUI hosting a room, without the start dialog.") },
        { QStringLiteral("join"),
          QCoreApplication::translate("main", "Open the GUI joining the room at URL (ws://HOST:PORT)."),
          QCoreApplication::translate("main", "URL") },
        { QStringLiteral("cli"),
          QCoreApplication::translate("main", "With --join: no window; send standard input's "
                                              "lines, print the room's messages.") },
        { QStringLiteral("nick"), QCoreApplication::translate("main", "Your nickname."),
          QCoreApplication::translate("main", "NAME") },
    });
    ServerOptions::addTo(parser);
    parser.process(*app);

    const ServerOptions::Parsed server = ServerOptions::read(parser);
    if (!server.ok())
        return fail(server.error);
    if (parser.isSet(QStringLiteral("server")))
        return runServer(server.config);
    if (parser.isSet(QStringLiteral("cli")))
        return runCli(parser);

    StartOptions options;
    options.hostConfig = server.config;
    options.nick = parser.value(QStringLiteral("nick"));
    if (parser.isSet(QStringLiteral("host"))) {
        options.mode = StartOptions::Mode::Host;
    } else if (parser.isSet(QStringLiteral("join"))) {
        options.mode = StartOptions::Mode::Join;
        options.joinUrl = QUrl(parser.value(QStringLiteral("join")));
        if (!options.joinUrl.isValid() || options.joinUrl.host().isEmpty())
            return fail(QCoreApplication::translate("main", "--join takes a room address such as "
                                                            "ws://192.168.1.20:%1, not \"%2\".")
                            .arg(Confab::Protocol::DefaultPort)
                            .arg(parser.value(QStringLiteral("join"))));
    }
    // The controller decides when the GUI is done: a window closing on the way from the
    // start dialog to the chat window is not the end.
    QApplication::setQuitOnLastWindowClosed(false);
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/confab.svg")));
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.confab.Confab"));
    AppController controller(options);
    QObject::connect(&controller, &AppController::finished, QCoreApplication::instance(),
                     [] { QCoreApplication::quit(); });
    if (!controller.start())
        return 1;
    return QCoreApplication::exec();
}
