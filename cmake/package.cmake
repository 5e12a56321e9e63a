# `cpack -G DEB` in a build configured with -DCMAKE_INSTALL_PREFIX=/usr: a Debian package of what
# cmake/install.cmake installs, its library dependencies found by dpkg-shlibdeps.
set(CPACK_PACKAGE_NAME zoom-qos-exporter)
set(CPACK_PACKAGE_VENDOR "zoom-qos-exporter")
set(CPACK_PACKAGE_CONTACT "zoom-qos-exporter maintainers <zoom-qos-exporter@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Prometheus exporter for the call quality of live Zoom meetings")
set(CPACK_PACKAGE_DESCRIPTION
    "Polls Zoom's Dashboard QoS API and serves each participant's latency, jitter, packet loss,\n"
    "bitrate, resolution, frame rate and CPU usage as Prometheus metrics, within Zoom's rate\n"
    "limits. Ships a hardened systemd unit (Type=notify, the client secret as a credential).")
# The package installs exactly where the build was configured to (the unit names those paths).
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# HTTPS to Zoom verifies certificates against the system's store.
set(CPACK_DEBIAN_PACKAGE_DEPENDS ca-certificates)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

# dpkg keeps an edited config on upgrades. The maintainer scripts tell a running systemd about
# the unit, stop the service on removal and restart it on upgrade; enabling it is the admin's
# step, once the credentials are in place.
set(zqe_conffiles ${CMAKE_BINARY_DIR}/deploy/debian/conffiles)
file(CONFIGURE OUTPUT ${zqe_conffiles}
     CONTENT "${CMAKE_INSTALL_FULL_SYSCONFDIR}/zoom-qos-exporter/zoom-qos-exporter.yaml\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${zqe_conffiles};${PROJECT_SOURCE_DIR}/deploy/debian/postinst"
    "${PROJECT_SOURCE_DIR}/deploy/debian/prerm;${PROJECT_SOURCE_DIR}/deploy/debian/postrm")

include(CPack)
