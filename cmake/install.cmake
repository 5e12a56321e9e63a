# `cmake --install`: the binary, the systemd unit, the config, the examples and the docs in the
# usual places under CMAKE_INSTALL_PREFIX (/usr/local by default; /usr for the Debian package,
# where the config goes to /etc).
include(GNUInstallDirs)

install(TARGETS zoom-qos-exporter RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# systemd reads units from <prefix>/lib/systemd/system for /usr and /usr/local alike.
set(ZQE_SYSTEMD_UNIT_DIR lib/systemd/system
    CACHE STRING "Where the systemd unit is installed (relative to the prefix, or absolute)")

# deploy/systemd/ holds the unit as the Debian package installs it (/usr/bin, /etc); other
# prefixes get those paths rewritten.
set(zqe_unit_source ${PROJECT_SOURCE_DIR}/deploy/systemd/zoom-qos-exporter.service)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${zqe_unit_source})
file(READ ${zqe_unit_source} zqe_unit)
string(REPLACE "/usr/bin/zoom-qos-exporter" "${CMAKE_INSTALL_FULL_BINDIR}/zoom-qos-exporter"
               zqe_unit "${zqe_unit}")
string(REPLACE "/etc/zoom-qos-exporter/" "${CMAKE_INSTALL_FULL_SYSCONFDIR}/zoom-qos-exporter/"
               zqe_unit "${zqe_unit}")
string(REPLACE "/usr/share/doc/zoom-qos-exporter/" "${CMAKE_INSTALL_FULL_DOCDIR}/" zqe_unit
               "${zqe_unit}")
file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/deploy/zoom-qos-exporter.service CONTENT "${zqe_unit}"
     @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/deploy/zoom-qos-exporter.service
        DESTINATION ${ZQE_SYSTEMD_UNIT_DIR})

# The config holds no secret (the service gets it as a systemd credential), so it is readable.
install(FILES deploy/config/zoom-qos-exporter.yaml
        DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/zoom-qos-exporter)

install(FILES README.md docs/architecture.md docs/benchmarks.md docs/quota-simulation.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES config/zoom-qos-exporter.example.yaml DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(DIRECTORY deploy/prometheus deploy/grafana deploy/kubernetes
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples PATTERN tests EXCLUDE)
