#include "server/listener.h"

#include <QTcpServer>

QTcpServer *createListener(const ServerConfig &config, QObject *parent, QString *error)
{
    Q_UNUSED(config);
    Q_UNUSED(error);
    return new QTcpServer(parent);
}
