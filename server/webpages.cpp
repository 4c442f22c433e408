#include "server/webpages.h"

#include <QFile>
#include <QTcpSocket>

namespace WebPages {

namespace {

struct Page
{
    const char *path;
    const char *resource;
    const char *contentType;
};

constexpr Page Pages[] = {
    { "/", ":/web/index.html", "text/html; charset=utf-8" },
    { "/index.html", ":/web/index.html", "text/html; charset=utf-8" },
    { "/app.js", ":/web/app.js", "text/javascript; charset=utf-8" },
    { "/style.css", ":/web/style.css", "text/css; charset=utf-8" },
    { "/icon.svg", ":/web/icon.svg", "image/svg+xml" },
};

void write(QTcpSocket *socket, const QByteArray &status, const QByteArray &contentType,
           const QByteArray &body, bool includeBody)
{
    QByteArray response = "HTTP/1.1 " + status + "\r\n";
    response += "Content-Type: " + contentType + "\r\n";
    response += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    response += "Cache-Control: no-cache\r\n";
    response += "X-Content-Type-Options: nosniff\r\n";
    response += "Referrer-Policy: no-referrer\r\n";
    // The page may talk only to this room; it runs no script but its own.
    response += "Content-Security-Policy: default-src 'self'; connect-src 'self' ws: wss:; "
                "img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
                "frame-ancestors 'none'\r\n";
    response += "Connection: close\r\n\r\n";
    if (includeBody)
        response += body;
    socket->write(response);
    socket->disconnectFromHost();
}

} // namespace

bool isWebSocketUpgrade(const QByteArray &head)
{
    for (const QByteArray &line : head.split('\n')) {
        const QByteArray lower = line.trimmed().toLower();
        if (lower.startsWith("upgrade:") && lower.contains("websocket"))
            return true;
    }
    return false;
}

void respond(QTcpSocket *socket, const QByteArray &head)
{
    const qsizetype lineEnd = head.indexOf('\r');
    const QList<QByteArray> requestLine = (lineEnd < 0 ? head : head.left(lineEnd)).split(' ');
    if (requestLine.size() != 3 || !requestLine.at(2).startsWith("HTTP/1.")) {
        write(socket, "400 Bad Request", "text/plain; charset=utf-8", "Bad request.\n", true);
        return;
    }
    const QByteArray &method = requestLine.at(0);
    const bool head_ = method == "HEAD";
    if (method != "GET" && !head_) {
        write(socket, "405 Method Not Allowed", "text/plain; charset=utf-8",
              "Only GET and HEAD.\n", true);
        return;
    }
    QByteArray path = requestLine.at(1);
    if (const qsizetype query = path.indexOf('?'); query >= 0)
        path.truncate(query);
    for (const Page &page : Pages) {
        if (path != page.path)
            continue;
        QFile file(QString::fromLatin1(page.resource));
        if (!file.open(QIODevice::ReadOnly))
            break;
        write(socket, "200 OK", page.contentType, file.readAll(), !head_);
        return;
    }
    write(socket, "404 Not Found", "text/plain; charset=utf-8",
          "Nothing here. The room is at /.\n", !head_);
}

} // namespace WebPages
