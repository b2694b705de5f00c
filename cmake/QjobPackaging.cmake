# Installation and the Debian package.
#
# `cmake --install BUILD --prefix /usr` lays out what a distribution would: qjobd
# in sbin, qjobctl in bin, the systemd units, sysusers.d and tmpfiles.d snippets
# under lib, man pages and bash completion under share, and the configuration in
# /etc/qjobd (under PREFIX/etc for any other prefix, as GNUInstallDirs does).
# `cpack --config BUILD/CPackConfig.cmake` turns the same tree into a .deb.
# Tests and benchmarks install nothing.
include(GNUInstallDirs)

set(QJOB_PACKAGE_MAINTAINER "qjob developers <qjob@lists.example.org>" CACHE STRING
    "The Maintainer field of the Debian package and its changelog")
set(QJOB_DEB_RELEASE 1 CACHE STRING "The Debian revision of the package")
set(QJOB_DEB_VERSION "${PROJECT_VERSION}-${QJOB_DEB_RELEASE}")

find_program(QJOB_GZIP gzip REQUIRED)

install(TARGETS qjobd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(TARGETS qjobctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Units go to PREFIX/lib whatever the architecture's libdir: systemd reads
# /usr/lib/systemd/system, /usr/lib/sysusers.d and /usr/lib/tmpfiles.d.
install(FILES systemd/qjobd.service systemd/qjobd.socket DESTINATION lib/systemd/system)
install(FILES systemd/sysusers.d/qjobd.conf DESTINATION lib/sysusers.d)
install(FILES systemd/tmpfiles.d/qjobd.conf DESTINATION lib/tmpfiles.d)
install(FILES cli/completion/qjobctl.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME qjobctl)

# The configuration: GNUInstallDirs' rule for SYSCONFDIR (prefix /usr means /etc),
# decided when installing, so that one build serves both `--prefix /usr/local`
# and the package, which CPack installs with prefix /usr under DESTDIR.
install(CODE "set(qjob_config \"${PROJECT_SOURCE_DIR}/etc/qjobd.toml\")")
install(CODE [[
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(qjob_confdir "/etc/qjobd")
  else()
    set(qjob_confdir "${CMAKE_INSTALL_PREFIX}/etc/qjobd")
  endif()
  file(INSTALL DESTINATION "${qjob_confdir}" TYPE FILE RENAME qjobd.toml
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
       FILES "${qjob_config}")
]])

# Man pages and the Debian changelog, compressed as Debian ships them (-n: no
# name or time stamp, so the package is reproducible).
set(qjob_gzipped)
function(qjob_gzip source output)
  add_custom_command(OUTPUT ${output}
                     COMMAND ${QJOB_GZIP} -9nc ${source} > ${output}
                     DEPENDS ${source} VERBATIM)
  set(qjob_gzipped ${qjob_gzipped} ${output} PARENT_SCOPE)
endfunction()

set(qjob_man_dir ${PROJECT_BINARY_DIR}/doc/man)
file(MAKE_DIRECTORY ${qjob_man_dir})
foreach(page qjobctl.1 qjobd.8 qjobd.toml.5)
  qjob_gzip(${PROJECT_SOURCE_DIR}/doc/man/${page} ${qjob_man_dir}/${page}.gz)
  string(REGEX MATCH "[0-9]$" section ${page})
  install(FILES ${qjob_man_dir}/${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endforeach()

set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${QJOB_PACKAGE_MAINTAINER}")
configure_file(packaging/deb/changelog.in ${PROJECT_BINARY_DIR}/packaging/changelog.Debian @ONLY)
qjob_gzip(${PROJECT_BINARY_DIR}/packaging/changelog.Debian ${PROJECT_BINARY_DIR}/packaging/changelog.Debian.gz)
install(FILES ${PROJECT_BINARY_DIR}/packaging/changelog.Debian.gz packaging/deb/copyright
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES packaging/deb/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME qjob)

# Cheap (a few gzip runs), so part of `all`: an install never lacks a page.
add_custom_target(qjob_docs ALL DEPENDS ${qjob_gzipped})

# CPack's install step would otherwise build `all` first (every test suite);
# the package needs qjobd, qjobctl and qjob_docs only, built before cpack runs.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME qjob)
set(CPACK_PACKAGE_VENDOR "the qjob developers")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "quantum computing job daemon and client")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "qjobd keeps quantum jobs safe on disk, runs each on the provider it names
(an embedded state-vector simulator, IonQ, Azure Quantum or Origin QCloud),
watches it until it ends and keeps its results. Every accepted job is
committed to SQLite before it is acknowledged and runs exactly once, even
across crashes.

qjobctl submits jobs and batches, follows them and prints their results
through qjobd's HTTP API on a local Unix socket. The package runs qjobd as
the qjob system user, started by its socket unit.")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${QJOB_DEB_RELEASE})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# postinst creates the user with systemd-sysusers.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd | systemd-standalone-sysusers")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/deb/conffiles
    ${PROJECT_SOURCE_DIR}/packaging/deb/postinst
    ${PROJECT_SOURCE_DIR}/packaging/deb/prerm
    ${PROJECT_SOURCE_DIR}/packaging/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
# Absolute paths (/etc) are installed under DESTDIR, with prefix /usr.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
include(CPack)
