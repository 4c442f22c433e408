#include "app/ui/appcontroller.h"

AppController::AppController(const StartOptions &options, QObject *parent)
    : QObject(parent), m_options(options)
{
}

AppController::~AppController() = default;

bool AppController::start()
{
    return false;
}
